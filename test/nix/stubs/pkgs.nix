# Fake packages: only the names listed exist, so a module that references an unexpected
# package fails the test. Each is a derivation-like set that serialises to its store path.
let
  names = [
    "git" "fish" "tailscale" "code-server" "ripgrep" "fd" "jq" "curl" "wget" "htop" "tree"
    "less" "file" "unzip" "gnumake" "openssh" "direnv" "nix-direnv"
  ];
in
builtins.listToAttrs (map (name: {
  inherit name;
  value = { type = "derivation"; inherit name; outPath = "/nix/store/00000000000000000000000000000000-${name}"; };
}) names)
