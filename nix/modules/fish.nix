# The fish shell as every user's login shell.
{
  meta = {
    description = "The fish shell as the default login shell.";
    secrets = [ ];
    conflicts = [ ];
    ports = [ ];
    options = { };
  };

  module = { options, container }:
    { pkgs, ... }:
    {
      programs.fish.enable = true;
      # Applies to root too: NixOS gives root `defaultUserShell` unless root's shell is set.
      users.defaultUserShell = pkgs.fish;
    };
}
