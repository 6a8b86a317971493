# Small helpers over `builtins` only, so the library evaluates without nixpkgs
# (`nix-instantiate --eval` in CI has no nixpkgs).
rec {
  all = predicate: list: builtins.all predicate list;
  any = predicate: list: builtins.any predicate list;
  join = builtins.concatStringsSep;
  hasSuffix = suffix: string:
    let
      length = builtins.stringLength string;
      suffixLength = builtins.stringLength suffix;
    in
    length >= suffixLength && builtins.substring (length - suffixLength) suffixLength string == suffix;
  removeSuffix = suffix: string:
    if hasSuffix suffix string
    then builtins.substring 0 (builtins.stringLength string - builtins.stringLength suffix) string
    else string;
  # `"a", "b"` — for messages.
  quoteList = list: join ", " (map (item: "'${toString item}'") list);
  unique = list: builtins.foldl' (seen: item: if builtins.elem item seen then seen else seen ++ [ item ]) [ ] list;
  duplicates = list:
    unique (builtins.filter (item: builtins.length (builtins.filter (other: other == item) list) > 1) list);
  optional = condition: value: if condition then [ value ] else [ ];
  optionalAttrs = condition: attrs: if condition then attrs else { };
  matches = regex: string: builtins.isString string && builtins.match regex string != null;
  # Human name of a value's type, for error messages.
  typeName = value: builtins.typeOf value;
  sortStrings = list: builtins.sort builtins.lessThan list;
}
