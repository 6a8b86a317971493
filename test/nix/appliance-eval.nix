# Evaluates nixosConfigurations.appliance's own modules (nix/host/appliance + services.voxnix)
# with the real nixpkgs `lib` module system but free-form stand-ins for every NixOS option
# they set. It catches Nix errors, wrong parameter names and option-type errors in our
# modules and lets tests read the resulting values; whether the NixOS options exist is only
# checked by `nix flake check` against nixpkgs.
{ lib }:
let
  loose = lib.mkOption {
    type = lib.types.submodule { freeformType = lib.types.lazyAttrsOf lib.types.anything; };
    default = { };
  };
  package = name: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
    meta.mainProgram = name;
  };
  pkgs = {
    formats.json = { }: {
      type = lib.types.attrsOf lib.types.anything;
      generate = name: value: builtins.toJSON value;
    };
    path = "/nix/store/00000000000000000000000000000000-nixpkgs";
  } // lib.genAttrs [
    "extra-container" "tailscale" "util-linux" "coreutils" "iproute2" "gnugrep" "gnused"
    "findutils" "bash" "sudo" "which" "git" "jq" "htop" "nftables"
  ] package // {
    # The stub returns the text itself instead of a store path, so tests can read it.
    writeText = name: text: text;
  };
  evaluated = lib.evalModules {
    specialArgs.modulesPath = ./stubs/modules;
    modules = [
      {
        config._module.args.pkgs = pkgs;
        config._module.freeformType = lib.types.lazyAttrsOf lib.types.anything;
        options = {
          services = loose;
          systemd = loose;
          age = loose;
          assertions = lib.mkOption { type = lib.types.listOf lib.types.anything; default = [ ]; };
          warnings = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
        };
      }
      ../../nix/host/voxnix-service.nix
      {
        services.voxnix.package = package "voxnix";
        boot.zfs.package = package "zfs";
        nix.package = package "nix";
        systemd.package = package "systemd";
      }
      ../../nix/host/appliance
    ];
  };
  config = evaluated.config;
in
{
  failedAssertions = map (assertion: assertion.message) (builtins.filter (assertion: !assertion.assertion) config.assertions);
  inherit (config) warnings networking disko boot users;
  bridgeIsolation = config.systemd.services.voxnix-bridge-isolation;
  dnsmasq = config.services.dnsmasq;
  openssh = config.services.openssh;
  voxnixSettings = builtins.fromJSON config.systemd.services.voxnix.environment.VOXNIX_CONFIG;
}
