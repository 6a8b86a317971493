# Test helper: evaluates a VM spec file through mkVm (nix/lib/mkVm.nix, as the flake's
# lib.mkVm) and turns the result into plain data: the guest's NixOS module is applied to stub
# `lib`/`pkgs`, so the whole result can be printed with --strict --json and searched.
{ specFile }:
let
  voxnix = import ../../nix/lib;
  result = voxnix.mkVm (builtins.fromJSON (builtins.readFile specFile));
  stubs = { lib = import ./stubs/lib.nix; pkgs = import ./stubs/pkgs.nix; config = { }; };
  applyModule = module:
    if builtins.isFunction module then module stubs
    else if module ? _file && module ? imports then
      builtins.foldl' (merged: inner: merged // applyModule inner) { } module.imports // { inherit (module) _file; }
    else module;
in
{
  microvm.vms = builtins.mapAttrs (name: vm: vm // { config = applyModule vm.config; }) result.microvm.vms;
}
