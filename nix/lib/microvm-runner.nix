# One VM's microvm.nix runner (the `declaredRunner` package: bin/microvm-run,
# bin/microvm-shutdown, …) from a vm-spec.json, without rebuilding the host: what
# `microvm -c NAME` builds from a flake's nixosConfigurations, built here from the spec.
# The caller passes NixOS's `nixosSystem` and microvm.nix's guest module (the flake's
# `lib.microvmRunner` passes its own inputs), so this file needs neither nixpkgs nor
# microvm.nix on a path. The spec is read as JSON; nothing from it is spliced into Nix text.
{
  specFile,
  nixosSystem,
  microvmModule,
  system ? "x86_64-linux",
}:
let
  spec = builtins.fromJSON (builtins.readFile specFile);
  guest = import ./vm-guest.nix { } spec;
in
(nixosSystem {
  inherit system;
  modules = [ microvmModule guest ];
}).config.microvm.declaredRunner
