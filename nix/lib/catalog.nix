# The module catalog, JSON-serialisable: `npm run catalog` writes
#   nix-instantiate --eval --strict --json nix/lib/catalog.nix
# to nix/modules/catalog.json, which the TypeScript catalog loads at start-up.
import ./metadata.nix { }
