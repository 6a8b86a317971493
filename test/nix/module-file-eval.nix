# Evaluates a spec's container modules with the real nixpkgs module system, declaring only
# some of the options they set, so the first undeclared one fails. The error must name the
# module file the definition came from (mkContainer wraps each fragment with its `_file`).
{ lib, specFile }:
let
  result = import ../../nix/lib/extra-container.nix { inherit specFile; };
  loose = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.anything; default = { }; };
  evaluated = lib.evalModules {
    modules = [
      {
        config._module.args.pkgs = import ./stubs/pkgs.nix;
        options = { system = loose; networking = loose; environment = loose; };
      }
    ] ++ (builtins.head (builtins.attrValues result.containers)).config.imports;
  };
in
builtins.attrNames evaluated.config.programs
