# Entry point for the microvm runtime: `nix build --impure --file <this> --argstr specFile
# <dir>/vm-spec.json --argstr flake <voxnix flake> --out-link <stateDir>/<name>/current`.
# The voxnix flake (the appliance's own, with its pinned nixpkgs and microvm.nix) provides
# `lib.microvmRunner`; the spec and the flake reference arrive as strings, never as Nix text.
{ specFile, flake }:
(builtins.getFlake flake).lib.microvmRunner {
  inherit specFile;
  system = builtins.currentSystem;
}
