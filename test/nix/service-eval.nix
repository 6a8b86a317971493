# Evaluates nix/host/voxnix-service.nix with the real nixpkgs `lib` module system (passed in,
# e.g. from a nixpkgs.lib checkout) but stub option declarations for the rest of NixOS and
# stub packages. It checks the module's own option types, defaults, merging and rendering;
# it cannot check that the NixOS options it sets exist (that needs nixpkgs: `nix flake check`).
{ lib, extraConfig ? { } }:
let
  loose = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.anything; default = { }; };
  package = name: { type = "derivation"; inherit name; outPath = "/nix/store/00000000000000000000000000000000-${name}"; meta.mainProgram = name; };
  generated = { };
  pkgs = {
    formats.json = { }: {
      type = lib.types.attrsOf lib.types.anything;
      # The stub returns the rendered JSON itself instead of a store path.
      generate = name: value: builtins.toJSON value;
    };
    path = "/nix/store/00000000000000000000000000000000-nixpkgs";
  } // lib.genAttrs [ "extra-container" "tailscale" "util-linux" "coreutils" "iproute2" "gnugrep" "gnused" "findutils" "bash" "sudo" "which" ] package;
  evaluated = lib.evalModules {
    modules = [
      {
        config._module.args.pkgs = pkgs;
        options = {
          assertions = lib.mkOption { type = lib.types.listOf lib.types.anything; default = [ ]; };
          warnings = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
          environment = loose;
          nix = loose;
          boot = loose;
          systemd = loose;
        };
      }
      ../../nix/host/voxnix-service.nix
      {
        services.voxnix.enable = true;
        services.voxnix.package = package "voxnix";
        boot.enableContainers = true;
        boot.extraSystemdUnitPaths = [ "/etc/systemd-mutable/system" ];
        boot.supportedFilesystems = [ "zfs" ];
        boot.zfs.package = package "zfs";
        nix.package = package "nix";
        systemd.package = package "systemd";
      }
      extraConfig
    ];
  };
  config = evaluated.config;
  unit = config.systemd.services.voxnix;
in
{
  failedAssertions = map (assertion: assertion.message) (builtins.filter (assertion: !assertion.assertion) config.assertions);
  inherit (config) warnings;
  settings = builtins.fromJSON unit.environment.VOXNIX_CONFIG;
  environment = removeAttrs unit.environment [ "VOXNIX_CONFIG" ];
  serviceConfig = unit.serviceConfig;
  path = map toString unit.path;
  tmpfiles = config.systemd.tmpfiles.rules;
  options = builtins.attrNames evaluated.options.services.voxnix;
}
