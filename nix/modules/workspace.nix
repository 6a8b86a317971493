# The persistent /workspace directory. mkContainer bind-mounts the user's storage there
# (spec.workspace.hostPath); this module prepares the directory and starts shells in it.
{
  meta = {
    description = "A persistent /workspace directory on the user's storage; shells start there.";
    secrets = [ ];
    conflicts = [ ];
    ports = [ ];
    options = { };
  };

  module = { options, container }:
    { ... }:
    let
      directory = container.paths.workspace;
    in
    {
      # Only creates what is missing; the bind mount is already there when tmpfiles runs.
      systemd.tmpfiles.rules = [
        "d ${directory} 0755 root root -"
        "d ${directory}/projects 0755 root root -"
      ];
      environment.variables.WORKSPACE = directory;
      programs.bash.loginShellInit = ''
        if [ -d ${directory} ]; then cd ${directory}; fi
      '';
      programs.fish.loginShellInit = ''
        if test -d ${directory}; cd ${directory}; end
      '';
    };
}
