# A command-line toolbox for development work.
{
  meta = {
    description = "A CLI toolbox: direnv with nix-direnv, ripgrep, fd, jq, curl, wget, htop, tree, make and friends.";
    secrets = [ ];
    conflicts = [ ];
    ports = [ ];
    options = { };
  };

  module = { options, container }:
    { pkgs, ... }:
    {
      programs.direnv = {
        enable = true;
        # Caches `use nix` / `use flake` environments so entering a directory stays fast.
        nix-direnv.enable = true;
      };
      environment.systemPackages = with pkgs; [
        ripgrep
        fd
        jq
        curl
        wget
        htop
        tree
        less
        file
        unzip
        gnumake
        openssh
      ];
    };
}
