/** Size parsing and formatting. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatSize, parseSize, sizeSchema } from "../../../src/domain/sizes.js";

void describe("sizes", () => {
  const cases: [string, number | undefined][] = [
    ["512M", 512 * 1024 ** 2],
    ["10G", 10 * 1024 ** 3],
    ["1.5T", 1.5 * 1024 ** 4],
    ["4096", 4096],
    ["2GiB", 2 * 1024 ** 3],
    ["2gb", 2 * 1024 ** 3],
    [" 1 G ", 1024 ** 3],
    ["0", undefined],
    ["-1G", undefined],
    ["ten", undefined],
    ["", undefined],
    ["1X", undefined],
    ["1e3", undefined],
  ];
  for (const [text, bytes] of cases) {
    void it(`parses ${JSON.stringify(text)} as ${String(bytes)}`, () => assert.equal(parseSize(text), bytes));
  }

  void it("formats binary units", () => {
    assert.equal(formatSize(0), "0B");
    assert.equal(formatSize(512 * 1024 ** 2), "512M");
    assert.equal(formatSize(1.5 * 1024 ** 3), "1.5G");
    assert.equal(formatSize(10 * 1024 ** 3), "10G");
  });

  void it("round-trips through the schema", () => {
    assert.equal(sizeSchema.parse("1G"), 1024 ** 3);
    assert.equal(sizeSchema.parse(123), 123);
    const failed = sizeSchema.safeParse("lots");
    assert.equal(failed.success, false);
    assert.match(failed.error?.issues[0]?.message ?? "", /not a size/);
    assert.equal(sizeSchema.safeParse(-5).success, false);
  });
});
