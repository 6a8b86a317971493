# Calls flake.nix's `outputs` with stand-in inputs (real nixpkgs `lib`, stub packages and
# stub disko/agenix/extra-container/microvm) to check the flake's structure: output names, the pure
# `lib`, the appliance's module list and the check names. Builds and NixOS evaluation need
# the real inputs (`nix flake check`).
{ lib }:
let
  flake = import ../../flake.nix;
  stubPackages = {
    inherit lib;
    callPackage = function: arguments: { type = "derivation"; name = "voxnix"; outPath = "/nix/store/00000000000000000000000000000000-voxnix"; };
    mkShell = arguments: { packageCount = builtins.length arguments.packages; };
    runCommand = name: attributes: script: name;
    nodejs_22 = "nodejs_22";
    python3 = "python3";
    nix = "nix";
    nixfmt = "nixfmt";
    nixos-anywhere = "nixos-anywhere";
    jq = "jq";
  };
  nixpkgs = {
    lib = lib // {
      nixosSystem = arguments: { inherit (arguments) system; moduleCount = builtins.length arguments.modules; };
    };
    legacyPackages = { x86_64-linux = stubPackages; aarch64-linux = stubPackages; };
  };
  self = outputs // { outPath = ../..; };
  outputs = flake.outputs {
    inherit self nixpkgs;
    disko.nixosModules.disko = { };
    agenix = { nixosModules.default = { }; packages = { x86_64-linux.default = "agenix"; aarch64-linux.default = "agenix"; }; };
    extra-container = {
      overlays.default = final: previous: { };
      lib.evalContainers = arguments: { config.system.build.etc.drvPath = "/nix/store/00000000000000000000000000000000-etc.drv"; };
    };
    microvm.nixosModules = { host = { }; microvm = { }; };
  };
in
{
  inputs = builtins.attrNames flake.inputs;
  nixpkgsUrl = flake.inputs.nixpkgs.url;
  outputs = builtins.attrNames outputs;
  lib = builtins.attrNames outputs.lib;
  catalogNames = map (module: module.name) outputs.lib.catalog;
  packages = builtins.attrNames outputs.packages.x86_64-linux;
  nixosModules = builtins.attrNames outputs.nixosModules;
  appliance = outputs.nixosConfigurations.appliance;
  devShell = outputs.devShells.x86_64-linux.default;
  checks = outputs.checks.x86_64-linux;
}
