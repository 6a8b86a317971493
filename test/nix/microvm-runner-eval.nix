# Test helper: nix/lib/microvm-runner.nix with a stand-in `nixosSystem` that records what it
# was given and answers a fake runner, so the runner's wiring (system, modules, the
# declaredRunner it returns) is checked without nixpkgs or microvm.nix.
{ specFile }:
let
  stubs = { lib = import ./stubs/lib.nix; pkgs = import ./stubs/pkgs.nix; config = { }; };
  microvmModule = { _file = "microvm.nix/nixos-modules/microvm"; };
  nixosSystem = arguments: {
    config.microvm.declaredRunner = {
      inherit (arguments) system;
      firstModule = (builtins.head arguments.modules)._file;
      guest = let guest = builtins.elemAt arguments.modules 1; in { inherit (guest) _file; } // (builtins.head guest.imports) stubs;
    };
  };
in
import ../../nix/lib/microvm-runner.nix { inherit specFile nixosSystem microvmModule; }
