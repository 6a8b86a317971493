# Secret environment variables from a file the user manages through voxnix. The host file
# (spec.env.hostFile, KEY=VALUE lines) is bind-mounted read-only at `container.paths.envFile`
# and read only at run time: by login shells and as a systemd EnvironmentFile. Nothing here
# reads the file during evaluation, so its contents never reach the Nix store.
{
  meta = {
    description = "Secret environment variables (KEY=VALUE lines) loaded into login shells and services, never stored in Nix.";
    secrets = [ ];
    conflicts = [ ];
    ports = [ ];
    options = { };
  };

  module = { options, container }:
    { ... }:
    let
      file = container.paths.envFile;
    in
    {
      environment.variables.VOXNIX_ENV_FILE = file;
      # `set -a` exports every assignment the file makes.
      programs.bash.loginShellInit = ''
        if [ -r ${file} ]; then set -a; . ${file}; set +a; fi
      '';
      # fish cannot source POSIX assignments, so parse KEY=VALUE lines (one optional pair
      # of surrounding quotes is removed; comments and blank lines are skipped).
      programs.fish.loginShellInit = ''
        if test -r ${file}
          for line in (string match -rv '^\s*(#|$)' < ${file})
            set -l pair (string split -m 1 = -- $line)
            if test (count $pair) -eq 2
              set -gx (string trim -- $pair[1]) (string trim -c "\"'" -- $pair[2])
            end
          end
        end
      '';
    }
    # Services started by other selected modules get the same variables. The leading `-`
    # tolerates a missing file.
    // (if builtins.elem "code-server" container.modules then {
      systemd.services.code-server.serviceConfig.EnvironmentFile = "-${file}";
    } else { });
}
