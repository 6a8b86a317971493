# git with sensible system-wide defaults.
{
  meta = {
    description = "Git version control with sensible defaults (main branch, rebase on pull).";
    secrets = [ ];
    conflicts = [ ];
    ports = [ ];
    options = {
      defaultBranch = {
        type = "string";
        default = "main";
        pattern = "^[A-Za-z0-9._/-]{1,64}$";
        description = "Branch name `git init` creates.";
      };
    };
  };

  module = { options, container }:
    { pkgs, ... }:
    {
      programs.git = {
        enable = true;
        package = pkgs.git;
        # Rendered to /etc/gitconfig.
        config = {
          init.defaultBranch = options.defaultBranch;
          pull.rebase = true;
          core.autocrlf = "input";
          safe.directory = "/workspace";
        };
      };
    };
}
