# VS Code in the browser. Listens on all interfaces of the container, so it is reachable
# from the container's tailnet address (with the tailscale module) and the host bridge.
{
  meta = {
    description = "VS Code in the browser (code-server), opened on /workspace when it exists.";
    secrets = [ ];
    conflicts = [ ];
    ports = [
      {
        port = 8080;
        protocol = "tcp";
        description = "code-server web UI";
        option = "port";
      }
    ];
    options = {
      port = {
        type = "port";
        default = 8080;
        description = "TCP port of the web UI.";
      };
      auth = {
        type = "string";
        default = "password";
        pattern = "^(password|none)$";
        description = "\"password\" (set PASSWORD with the env module, else code-server generates one in ~/.config/code-server/config.yaml) or \"none\".";
      };
    };
  };

  module = { options, container }:
    { pkgs, ... }:
    {
      services.code-server = {
        enable = true;
        package = pkgs.code-server;
        host = "0.0.0.0";
        port = options.port;
        auth = options.auth;
        # The container is the user's: root owns /workspace, so the editor runs as root.
        user = "root";
        group = "root";
        disableTelemetry = true;
        disableUpdateCheck = true;
        extraArguments = if builtins.elem "workspace" container.modules then [ container.paths.workspace ] else [ ];
      };
    };
}
