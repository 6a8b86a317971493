# The appliance's disk layout (nix/host/appliance/storage.nix) evaluated with real disko: its
# `lib.toplevel` type checks `disko.devices` and derives the NixOS fileSystems from it.
# Opt-in (with-nixpkgs-lib.test.ts): needs nixpkgs `lib` and a disko checkout (VOXNIX_DISKO).
{ lib, disko }:
let
  diskoLib = import (disko + "/lib") { inherit lib; makeTest = null; eval-config = null; qemu-common = null; };
  storage = import ../../nix/host/appliance/storage.nix { };
  devices =
    (lib.evalModules {
      modules = [
        { options.devices = lib.mkOption { type = diskoLib.toplevel; }; }
        { devices = storage.disko.devices; }
      ];
    }).config.devices;
  fileSystems = devices._config.fileSystems;
in
# disko returns its fileSystems as an `lib.mkMerge`; flatten it to name → { device, fsType, options }.
builtins.foldl' (all: part: all // part) { } (fileSystems.contents or [ fileSystems ])
