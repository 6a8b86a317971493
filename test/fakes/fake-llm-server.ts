/**
 * A scripted LLM speaking the OpenAI-compatible Chat Completions protocol over real HTTP on
 * loopback: `POST /v1/chat/completions`, as JSON or as SSE (`stream: true`) with tool-call
 * deltas, a usage chunk and `[DONE]`. Answers come from a queue; every request is recorded so
 * tests can count round trips and the prompt size. An empty queue answers 500, like a broken
 * provider.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer. */
export type FakeLlmResponse =
  | { readonly text: string }
  | {
      readonly toolCalls: readonly {
        readonly name: string;
        readonly arguments: Readonly<Record<string, unknown>> | string;
      }[];
      readonly text?: string;
    }
  /** An HTTP error, e.g. 429 or 500, with an OpenAI-style error body. */
  | { readonly status: number; readonly message?: string }
  /** Computes the answer from the request. */
  | ((request: RecordedLlmRequest) => FakeLlmResponse);

/** A request the server received. */
export interface RecordedLlmRequest {
  readonly body: {
    readonly model: string;
    readonly stream?: boolean;
    readonly messages: readonly {
      readonly role: string;
      readonly content?: unknown;
      readonly tool_calls?: unknown;
      readonly tool_call_id?: string;
    }[];
    readonly tools?: readonly unknown[];
  };
  /** Size of messages plus tools in characters. */
  readonly promptCharacters: number;
  /** `promptCharacters / 4`, rounded up: the usage the fake reports. */
  readonly promptTokens: number;
}

/** The running fake. */
export interface FakeLlmServer {
  /** Base URL for `createOpenAICompatible({ baseURL })`, ending in `/v1`. */
  readonly url: string;
  readonly requests: RecordedLlmRequest[];
  /** Adds answers to the queue. */
  enqueue(...responses: FakeLlmResponse[]): void;
  /** Answers left in the queue. */
  readonly pending: number;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeLlmServer(initial: readonly FakeLlmResponse[] = []): Promise<FakeLlmServer> {
  const queue: FakeLlmResponse[] = [...initial];
  const requests: RecordedLlmRequest[] = [];
  let counter = 0;

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
      response
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RecordedLlmRequest["body"];
    const promptCharacters = JSON.stringify(body.messages).length + JSON.stringify(body.tools ?? []).length;
    const recorded: RecordedLlmRequest = { body, promptCharacters, promptTokens: Math.ceil(promptCharacters / 4) };
    requests.push(recorded);
    let answer = queue.shift() ?? { status: 500, message: "the fake LLM has no scripted answer left" };
    while (typeof answer === "function") answer = answer(recorded);
    if ("status" in answer) {
      response
        .writeHead(answer.status, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: answer.message ?? "error", type: "server_error" } }));
      return;
    }
    counter += 1;
    const id = `chatcmpl-${counter}`;
    const toolCalls =
      "toolCalls" in answer
        ? answer.toolCalls.map((call, index) => ({
            id: `call_${counter}_${index}`,
            type: "function" as const,
            function: {
              name: call.name,
              arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
            },
          }))
        : [];
    const text = answer.text ?? null;
    const usage = {
      prompt_tokens: recorded.promptTokens,
      completion_tokens: Math.ceil(((text ?? "").length + JSON.stringify(toolCalls).length) / 4),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const finishReason = toolCalls.length > 0 ? "tool_calls" : "stop";
    if (!body.stream) {
      const message = { role: "assistant", content: text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id,
          object: "chat.completion",
          created: 1_700_000_000,
          model: body.model,
          choices: [{ index: 0, message, finish_reason: finishReason }],
          usage,
        }),
      );
      return;
    }
    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const send = (delta: unknown, finish: string | null = null) =>
      response.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1_700_000_000, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
      );
    send({ role: "assistant", content: "" });
    if (text) for (const piece of text.match(/.{1,16}/gs) ?? []) send({ content: piece });
    toolCalls.forEach((call, index) => {
      send({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }],
      });
      for (const piece of call.function.arguments.match(/.{1,12}/gs) ?? [])
        send({ tool_calls: [{ index, function: { arguments: piece } }] });
    });
    send({}, finishReason);
    response.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1_700_000_000, model: body.model, choices: [], usage })}\n\n`,
    );
    response.end("data: [DONE]\n\n");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...responses) => void queue.push(...responses),
    get pending() {
      return queue.length;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
