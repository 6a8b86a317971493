/**
 * The serial console, read safely. QEMU writes the guest's console into a fixed-size ring
 * buffer in memory (never a file that could grow without limit); voxnix drains it over QMP
 * and appends to `console.log` in the VM's folder, which it keeps under `MAX_LOG_BYTES`.
 *
 * Everything in the log is guest-written, so it is treated as hostile text: the file is opened
 * with O_NOFOLLOW (a symlink put in its place is refused, never followed), only a bounded tail
 * is read, and control characters (terminal escape sequences included) are removed before any
 * line reaches a person's terminal or chat.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readSync, writeSync, ftruncateSync } from "node:fs";
import { HostFailureError } from "../../domain/errors.js";
import { CONSOLE_DEVICE, CONSOLE_RING_BYTES } from "./qemu-argv.js";
import { qmp } from "./qmp.js";

/** Most bytes kept in console.log; older output is dropped. */
export const MAX_LOG_BYTES = 2 * 1024 * 1024;

const OPEN_FLAGS = constants.O_NOFOLLOW;

function openLog(file: string, flags: number): number {
  try {
    const fd = openSync(file, flags | OPEN_FLAGS, 0o600);
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new HostFailureError("The console log is not a regular file; refusing to use it.", file);
    }
    return fd;
  } catch (error) {
    if (error instanceof HostFailureError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return -1;
    if (code === "ELOOP")
      throw new HostFailureError("The console log was replaced by a link; refusing to follow it.", file);
    throw new HostFailureError("Could not open the console log.", `${file}: ${(error as Error).message}`);
  }
}

/** Reads at most the last `limit` bytes of the log (empty when it does not exist). */
export function readLogTail(file: string, limit = MAX_LOG_BYTES): Buffer {
  const fd = openLog(file, constants.O_RDONLY);
  if (fd < 0) return Buffer.alloc(0);
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, limit);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, size - length);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Appends `data`, keeping only the newest `MAX_LOG_BYTES` (rewrites the file when it grows past twice that). */
export function appendLog(file: string, data: Buffer): void {
  if (data.length === 0) return;
  const fd = openLog(file, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND);
  try {
    writeSync(fd, data);
    const size = fstatSync(fd).size;
    if (size > 2 * MAX_LOG_BYTES) {
      const keep = Buffer.alloc(MAX_LOG_BYTES);
      readSync(fd, keep, 0, MAX_LOG_BYTES, size - MAX_LOG_BYTES);
      ftruncateSync(fd, 0);
      writeSync(fd, keep);
    }
  } finally {
    closeSync(fd);
  }
}

/** Moves whatever the guest printed since the last drain from QEMU's ring buffer into the log; resolves with it. */
export async function drainConsole(qmpSocket: string, logFile: string, timeoutMs = 5000): Promise<Buffer> {
  const [data] = await qmp(
    qmpSocket,
    [{ execute: "ringbuf-read", arguments: { device: CONSOLE_DEVICE, size: CONSOLE_RING_BYTES, format: "base64" } }],
    timeoutMs,
  );
  const bytes = typeof data === "string" ? Buffer.from(data, "base64") : Buffer.alloc(0);
  appendLog(logFile, bytes);
  return bytes;
}

/**
 * Guest bytes as lines a person can read: invalid UTF-8 replaced, escape sequences and other
 * control characters removed (tabs kept), carriage returns dropped, and the last `lines` kept.
 */
export function consoleLines(data: Buffer, lines: number): string[] {
  const text = data
    .toString("utf8")
    // CSI and OSC sequences first, so their parameters do not survive as text.
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, "")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");
  const all = text.split("\n").map((line) => line.replace(/\s+$/, ""));
  while (all.length > 0 && all[all.length - 1] === "") all.pop();
  return all.slice(-lines);
}
