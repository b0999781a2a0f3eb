// File uploads as Slack takes them from apps now: files.getUploadURLExternal reserves a file
// and an upload URL, the bytes are POSTed to that URL, files.completeUploadExternal shares the
// file (once) in a conversation as a message carrying it. The retired files.upload is not
// offered. Slack's vendored OpenAPI spec predates these methods, so the checks here follow the
// method documentation on docs.slack.dev (arguments, errors, "can only be called once") instead.
import { randomBytes } from "node:crypto";
import { ApiError } from "./errors.ts";
import { checkMessage } from "./limits.ts";
import { BOT, type FileRef, type Json, type SlackFile, TEAM, type Workspace } from "./workspace.ts";

/** The documented limit of `alt_txt` (alt_txt_too_large). */
const ALT_TEXT_MAX = 1000;
/** files.completeUploadExternal shares into at most 100 conversations (channels_limit_exceeded). */
const SHARE_CHANNELS_MAX = 100;

const MIME: Record<string, string> = {
  csv: "text/csv",
  txt: "text/plain",
  json: "application/json",
  png: "image/png",
};

function missing(name: string): ApiError {
  return new ApiError("invalid_arguments", {
    response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
  });
}

function badArgument(message: string): ApiError {
  return new ApiError("invalid_arguments", { response_metadata: { messages: [message] } });
}

const present = (v: unknown) => v !== undefined && v !== null && v !== "";

/** What a message holds of a file. */
function fileRef(f: SlackFile): FileRef {
  return {
    id: f.id,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype,
    filetype: f.filetype,
    size: f.length,
  };
}

/** Where a file's bytes are served, to a request with the bot token (as Slack's url_private). */
export const fileUrl = (base: string, f: FileRef) =>
  `${base}/files-pri/${TEAM.id}-${f.id}/${encodeURIComponent(f.name)}`;

/** The two Web API methods; `base` is where the stand-in serves upload and file URLs. */
export function fileMethods(ws: Workspace, base: () => string): Record<string, (a: Json) => Json> {
  return {
    "files.getUploadURLExternal": (args) => {
      if (!present(args.filename)) throw missing("filename");
      if (!present(args.length)) throw missing("length");
      const length = Number(args.length);
      if (!Number.isInteger(length) || length < 0) {
        throw badArgument("[ERROR] length must be an integer");
      }
      // "Typically only occurs when the length provided is 0."
      if (length === 0) throw new ApiError("missing_argument");
      const alt = args.alt_txt ?? args.alt_text;
      if (typeof alt === "string" && alt.length > ALT_TEXT_MAX) {
        throw new ApiError("alt_txt_too_large");
      }
      const name = String(args.filename);
      const ext = name.includes(".") ? (name.split(".").pop() ?? "").toLowerCase() : "";
      const file: SlackFile = {
        // Random, as file ids outlive a sandbox run (they are saved with its messages).
        id: `F${randomBytes(5).toString("hex").toUpperCase()}`,
        name,
        title: name,
        length,
        mimetype: MIME[ext] ?? "application/octet-stream",
        filetype: ext || "binary",
        state: "reserved",
        uploadToken: randomBytes(12).toString("hex"),
        created: Date.now(),
      };
      ws.files.set(file.id, file);
      ws.uploads.set(file.uploadToken, file.id);
      return { upload_url: `${base()}/upload/v1/${file.uploadToken}`, file_id: file.id };
    },

    "files.completeUploadExternal": (args) => {
      if (!present(args.files)) throw missing("files");
      let list: unknown;
      try {
        list = typeof args.files === "string" ? JSON.parse(args.files) : args.files;
      } catch {
        throw badArgument("[ERROR] files must be a JSON array");
      }
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        !list.every((f) => typeof f === "object" && f !== null && typeof f.id === "string")
      ) {
        throw badArgument("[ERROR] files must be an array of objects with an id");
      }
      // Only a file whose bytes arrived and that was not completed before ("This method can
      // only be called once").
      const files = (list as Array<{ id: string; title?: unknown }>).map((f) => {
        const file = ws.files.get(f.id);
        if (file?.state !== "uploaded") throw new ApiError("file_not_found");
        return { file, title: typeof f.title === "string" && f.title ? f.title : file.name };
      });
      const targets: string[] = [];
      if (present(args.channel_id)) {
        // A conversation id: a user id is not a channel (open the DM first).
        const c = ws.conversations.get(String(args.channel_id));
        if (!c) throw new ApiError("channel_not_found");
        if (!c.members.has(BOT.userId)) throw new ApiError("not_in_channel");
        targets.push(c.id);
      }
      if (present(args.channels)) {
        const ids = String(args.channels)
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        if (ids.length > SHARE_CHANNELS_MAX) throw new ApiError("channels_limit_exceeded");
        for (const id of ids) {
          const c = ws.resolveChannel(id);
          if (!c) throw new ApiError("channel_not_found");
          if (!targets.includes(c.id)) targets.push(c.id);
        }
      }
      const threadTs = present(args.thread_ts) ? String(args.thread_ts) : undefined;
      if (threadTs && targets.length !== 1) {
        throw badArgument("[ERROR] thread_ts needs exactly one channel");
      }
      const comment = typeof args.initial_comment === "string" ? args.initial_comment : undefined;
      // "If the initial_comment field is provided, the blocks field is ignored."
      let blocks: Json[] | undefined;
      if (comment === undefined && present(args.blocks)) {
        blocks = (
          typeof args.blocks === "string" ? JSON.parse(args.blocks) : args.blocks
        ) as Json[];
        const problems = checkMessage({ text: "", blocks });
        if (problems.length) throw new ApiError("invalid_blocks", { errors: problems });
      }
      for (const { file, title } of files) {
        file.title = title;
        file.state = "shared";
      }
      const refs = files.map(({ file }) => fileRef(file));
      for (const channel of targets) {
        ws.post({ channel, user: BOT.userId, text: comment ?? "", blocks, threadTs, files: refs });
      }
      return { files: files.map(({ file }) => ({ id: file.id, title: file.title })) };
    },
  };
}

/**
 * The bytes POSTed to an upload URL: raw, or the file part of a multipart form (both are
 * accepted, as the documentation says). Slack answers 200 when it took them, anything else
 * when it did not.
 */
export async function receiveUpload(
  ws: Workspace,
  token: string,
  contentType: string | undefined,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  const id = ws.uploads.get(token);
  const file = id ? ws.files.get(id) : undefined;
  if (!file || file.state === "shared") return { status: 404, text: "upload not found" };
  let bytes = body;
  if (contentType?.startsWith("multipart/form-data")) {
    const form = await new Response(new Uint8Array(body), {
      headers: { "content-type": contentType },
    })
      .formData()
      .catch(() => undefined);
    let part: Blob | undefined;
    form?.forEach((v) => {
      if (!part && typeof v !== "string") part = v;
    });
    if (!part) return { status: 400, text: "no file in the form" };
    bytes = Buffer.from(await part.arrayBuffer());
  }
  // The stand-in holds a client to the length it announced.
  if (bytes.length !== file.length) {
    return { status: 400, text: `expected ${file.length} bytes, got ${bytes.length}` };
  }
  file.bytes = bytes;
  file.state = "uploaded";
  return { status: 200, text: `OK - ${bytes.length}` };
}
