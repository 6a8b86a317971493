/**
 * What the model sees of earlier turns: the recent turns as plain text, with each tool call
 * folded into a one-line note on the assistant's answer ("[stop_container web: ok]"). The
 * full history (tool calls and results as structured messages) stays in memory; the compact
 * form keeps prompts small and the SDK's per-call prompt validation cheap, while the injected
 * context carries the current state.
 *
 * @module
 */
import type { ModelMessage } from "ai";
import { trimMessages } from "../memory/trim.js";

/** Recent turns of `messages` (at most `window` stored messages) as plain user/assistant text. */
export function compactHistory(messages: readonly ModelMessage[], window: number): ModelMessage[] {
  const recent = trimMessages(messages, window);
  const compact: { role: "user" | "assistant"; content: string }[] = [];
  const notes = new Map<string, string>();
  for (const message of recent) {
    if (message.role === "tool") {
      for (const part of message.content) {
        if (part.type !== "tool-result") continue;
        const value = part.output.type === "json" ? (part.output.value as { ok?: unknown } | null) : undefined;
        notes.set(part.toolCallId, value && typeof value === "object" && value.ok === false ? "failed" : "ok");
      }
    }
  }
  for (const message of recent) {
    if (message.role === "user") {
      compact.push({
        role: "user",
        content:
          typeof message.content === "string"
            ? message.content
            : message.content.map((part) => (part.type === "text" ? part.text : "")).join(" "),
      });
    } else if (message.role === "assistant") {
      const pieces: string[] = [];
      if (typeof message.content === "string") pieces.push(message.content);
      else {
        for (const part of message.content) {
          if (part.type === "text") pieces.push(part.text);
          if (part.type === "tool-call") {
            const input = part.input as { name?: unknown } | null;
            const target = input && typeof input === "object" && typeof input.name === "string" ? ` ${input.name}` : "";
            pieces.push(`[${part.toolName}${target}: ${notes.get(part.toolCallId) ?? "no result"}]`);
          }
        }
      }
      const text = pieces.join(" ").trim();
      if (text.length === 0) continue;
      const last = compact[compact.length - 1];
      if (last?.role === "assistant") last.content = `${last.content} ${text}`;
      else compact.push({ role: "assistant", content: text });
    }
  }
  return compact;
}
