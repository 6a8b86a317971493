# A stand-in for the few nixpkgs `lib` functions the workload modules use, so their NixOS
# modules can be applied in tests without nixpkgs. Priorities are kept as visible markers.
{
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkForce = content: { _type = "override"; priority = 50; inherit content; };
  optional = condition: value: if condition then [ value ] else [ ];
  optionals = condition: list: if condition then list else [ ];
}
