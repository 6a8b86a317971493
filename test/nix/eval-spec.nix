# Test helper: evaluates a spec file through the real entry point (nix/lib/extra-container.nix)
# and turns the result into plain data: the container's NixOS modules are applied to stub
# `lib`/`pkgs`, so the whole result can be printed with --strict --json and searched.
{ specFile }:
let
  result = import ../../nix/lib/extra-container.nix { inherit specFile; };
  stubs = { lib = import ./stubs/lib.nix; pkgs = import ./stubs/pkgs.nix; config = { }; };
  # A fragment wrapped with its `_file` is shown as its applied content plus that `_file`.
  applyModule = module:
    if builtins.isFunction module then module stubs
    else if module ? _file && module ? imports then
      builtins.foldl' (merged: inner: merged // applyModule inner) { } module.imports // { inherit (module) _file; }
    else module;
  plainContainer = container: (removeAttrs container [ "config" ]) // {
    config = map applyModule container.config.imports;
  };
in
result // { containers = builtins.mapAttrs (name: plainContainer) result.containers; }
