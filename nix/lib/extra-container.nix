# Entry point for the nixos backend. The backend writes spec.json and a one-line
# container.nix into a private directory:
#
#   import <voxnix source>/nix/lib/extra-container.nix { specFile = ./spec.json; }
#
# and runs `extra-container create <dir>/container.nix --start`. The spec is read as JSON
# (builtins.fromJSON); nothing from it is ever spliced into Nix text.
{ specFile, directory ? ../modules }:
import ./mkContainer.nix { inherit directory; } (builtins.fromJSON (builtins.readFile specFile))
