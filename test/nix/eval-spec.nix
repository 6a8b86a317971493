# Test helper: evaluates a spec file through the real entry point (nix/lib/extra-container.nix)
# and turns the result into plain data: the container's NixOS modules are applied to stub
# `lib`/`pkgs`, so the whole result can be printed with --strict --json and searched.
{ specFile }:
let
  result = import ../../nix/lib/extra-container.nix { inherit specFile; };
  stubs = { lib = import ./stubs/lib.nix; pkgs = import ./stubs/pkgs.nix; config = { }; };
  applyModule = module: if builtins.isFunction module then module stubs else module;
  plainContainer = container: (removeAttrs container [ "config" ]) // {
    config = map applyModule container.config.imports;
  };
in
result // { containers = builtins.mapAttrs (name: plainContainer) result.containers; }
