# Stand-in for nixpkgs' <nixos/modules/installer/scan/not-detected.nix> in test evaluations.
{ ... }: { }
