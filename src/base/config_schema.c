/*
 * config_schema.c — the table of every setting (key, type, range or
 * choices, default, owner, help) and of the vault's secret names, and the
 * checks every reader and writer of the configuration goes through: the
 * user's `zpub config set`, `zpub tenant config`, templates from the CLI,
 * the API and the terminal app, and the merge of stored layers.
 */
#include "config_schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jnum.h"
#include "util.h"

#define I ZS_INT
#define N ZS_NUM
#define B ZS_BOOL
#define S ZS_STR
#define U ZS_URL
#define E ZS_ENUM
#define L ZS_LIST
#define C ZS_CSV
#define D ZS_ID
#define G ZS_LANG
#define W ZS_SWITCH
#define M ZS_MAP
#define OP ZS_OPERATOR
#define TN ZS_TENANT
#define SY ZS_SYSTEM
#define DAY 86400000.0
#define X264_PRESETS "ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow"
#define STATUSES "INITIALIZED|DOWNLOADED|PROCESSED|TRANSCRIBED|READY"

/* key, type, min, max, choices, default (JSON), owner, help.  The order is
 * the order of `zpub config keys` and of the built defaults. */
const struct zs_key zs_keys[] = {
	{ "tenant", S, 0, 64, NULL, "\"default\"", OP, "the tenant the CLI works as when --tenant is not given" },
	{ "log.level", E, 0, 0, "debug|info|warn|error", "\"info\"", OP, "least severity written to the log" },
	{ "store.url", S, 0, 4096, "@pgurl", "\"\"", OP, "the PostgreSQL database several hosts share (postgresql://USER@HOST:PORT/NAME, the password in ~/.pgpass or in ZPUB_DATABASE_URL, never here); empty: SQLite in the data folder.  --database and ZPUB_DATABASE_URL win over it" },
	{ "storage.root", S, 0, 4096, "@abspath", "\"\"", OP, "absolute folder every host sees alike (an NFS mount, say) where media and published files live; empty: the data folder" },
	{ "pipeline.lease_ms", I, 1000, DAY, NULL, "600000", OP, "how long a running stage holds a recording before another worker may take it over" },
	{ "pipeline.max_attempts", I, 1, 100, NULL, "5", OP, "attempts of a stage before the recording stays FAILED" },
	{ "pipeline.retry_base_ms", I, 0, DAY, NULL, "30000", OP, "wait before the first retry of a failed stage (doubles each time)" },
	{ "pipeline.retry_cap_ms", I, 0, 7 * DAY, NULL, "3600000", OP, "longest wait between retries of a failed stage" },

	{ "processing.video.remove_silence", B, 0, 0, NULL, "true", TN, "cut the silent stretches out of the video" },
	{ "processing.video.threshold_db", N, -90, 0, NULL, "-40.0", TN, "sound below this level (dBFS) counts as silence" },
	{ "processing.video.silence_mode", E, 0, 0, "adaptive|threshold", "\"adaptive\"", TN, "threshold: sound below threshold_db is silence; adaptive: the same where threshold_db lies between the recording's noise floor and its speech, else a level picked from them (a noisy room, a quiet speaker)" },
	{ "processing.video.window_ms", I, 1, 1000, NULL, "10", TN, "length of the windows the loudness is measured in" },
	{ "processing.video.min_silence_ms", I, 0, 600000, NULL, "1000", TN, "shortest silence that is cut" },
	{ "processing.video.margin_before_ms", I, 0, 60000, NULL, "150", TN, "sound kept before speech resumes" },
	{ "processing.video.margin_after_ms", I, 0, 60000, NULL, "250", TN, "sound kept after speech stops" },
	{ "processing.video.trim_head", B, 0, 0, NULL, "true", TN, "cut the silence at the start" },
	{ "processing.video.trim_tail", B, 0, 0, NULL, "true", TN, "cut the silence at the end" },
	{ "processing.video.max_pause_ms", I, 0, 600000, NULL, "2000", TN, "pauses longer than this are shortened" },
	{ "processing.video.keep_pause_ms", I, 0, 600000, NULL, "700", TN, "what is left of a shortened pause" },
	{ "processing.video.keep_visual_pauses", B, 0, 0, NULL, "true", TN, "keep pauses in which new content appears on screen (writing, a slide change, a demo) while it changes" },
	{ "processing.video.visual_min_area", N, 0, 1, NULL, "0.03", TN, "share of the frame that must change and stay changed for a pause to count as visual" },
	{ "processing.video.visual_hold_ms", I, 0, 600000, NULL, "3000", TN, "kept after each change of the content in a visual pause" },
	{ "processing.video.strategy", E, 0, 0, "smart|reencode", "\"smart\"", TN, "smart re-encodes only around the cuts; reencode encodes the whole video" },
	{ "processing.video.crf", I, 0, 51, NULL, "23", TN, "x264 quality (lower is better and bigger)" },
	{ "processing.video.preset", E, 0, 0, X264_PRESETS, "\"veryfast\"", OP, "x264 preset of a full re-encode (slower presets load the server)" },
	{ "processing.video.smart_preset", E, 0, 0, X264_PRESETS, "\"ultrafast\"", OP, "x264 preset of the pieces a smart cut re-encodes" },
	{ "processing.audio.codec", E, 0, 0, "flac", "\"flac\"", OP, "codec of the audio sent to transcription" },
	{ "processing.audio.sample_rate", I, 8000, 48000, NULL, "16000", OP, "sample rate of the audio sent to transcription" },
	{ "processing.audio.chunk_max_seconds", I, 1, 3600, NULL, "600", OP, "longest audio chunk sent to transcription" },
	{ "processing.audio.chunk_max_bytes", I, 65536, 104857600, NULL, "24000000", OP, "largest audio chunk sent to transcription" },
	{ "processing.audio.loudness_lufs", N, -40, -5, "null", "-16", TN, "integrated loudness (EBU R128) the published audio is evened out to, its true peak held at -1 dBTP; null leaves the level as recorded" },
	{ "processing.thumbnails.count", I, 0, 20, NULL, "5", TN, "thumbnails taken from the video" },
	{ "processing.thumbnails.width", I, 160, 3840, NULL, "1280", TN, "width of the thumbnails in pixels" },
	{ "processing.thumbnails.overlay.enabled", B, 0, 0, NULL, "false", TN, "draw the recording's title on the chosen thumbnail" },
	{ "processing.thumbnails.overlay.font", S, 1, 200, NULL, "\"DejaVu Sans\"", TN, "font family of the title (fontconfig finds its file, as fc-match FAMILY does)" },
	{ "processing.thumbnails.overlay.size", I, 8, 400, NULL, "56", TN, "height of the title's letters in pixels" },
	{ "processing.thumbnails.overlay.color", S, 1, 64, NULL, "\"white\"", TN, "colour of the title (an FFmpeg colour: white, #ffcc00, yellow@0.9)" },
	{ "processing.thumbnails.overlay.box_color", S, 0, 64, NULL, "\"black@0.6\"", TN, "colour of the box behind the title (\"\" = no box)" },
	{ "processing.thumbnails.overlay.position", E, 0, 0, "top|center|bottom", "\"bottom\"", TN, "where the title is drawn" },
	{ "processing.transcription.engine", E, 0, 0, "auto|pocketsphinx|openai-compatible", "\"auto\"", TN, "auto uses the service when the transcription secret is set, else PocketSphinx" },
	{ "processing.transcription.language", G, 0, 0, NULL, "\"\"", TN, "language spoken in the lecture (\"\" = let the service detect it)" },
	{ "processing.transcription.model", S, 1, 128, NULL, NULL, TN, "model this tenant or template transcribes with (one of providers.transcription.models; unset = providers.transcription.model)" },
	{ "processing.transcription.concurrency", I, 1, 16, NULL, "3", OP, "audio chunks transcribed at once" },
	{ "processing.transcription.pocketsphinx_modeldir", S, 0, 4096, NULL, NULL, OP, "folder of the PocketSphinx model (a file path)" },
	{ "processing.topics.engine", E, 0, 0, "auto|extractive|openai-compatible", "\"auto\"", TN, "auto uses the chat service when the chat secret is set, else the extractive engine" },
	{ "processing.topics.min_topic_ms", I, 0, 3 * 3600000.0, NULL, "60000", TN, "shortest topic" },
	{ "processing.topics.min_detail_ms", I, 0, 3 * 3600000.0, NULL, "20000", TN, "shortest sub-topic" },
	{ "processing.topics.snap_to_slides_ms", I, 0, 60000, NULL, "5000", TN, "a topic starting this close to a slide change moves onto it (0 = never)" },
	{ "processing.topics.fallback_extractive", B, 0, 0, NULL, "true", TN, "use the extractive engine when the chat service fails" },
	{ "processing.subtitles.formats", L, 0, 2, "srt|vtt", "[\"srt\",\"vtt\"]", TN, "subtitle files written" },
	{ "processing.subtitles.languages", L, 0, 10, "@lang", "[]", TN, "languages the subtitles are translated into" },
	{ "processing.subtitles.max_line_chars", I, 10, 200, NULL, "42", TN, "longest subtitle line" },
	{ "processing.subtitles.max_line_chars_ru", I, 10, 200, NULL, "39", TN, "longest subtitle line in Russian" },
	{ "processing.subtitles.max_lines", I, 1, 5, NULL, "2", TN, "lines per cue" },
	{ "processing.subtitles.min_cue_ms", I, 0, 60000, NULL, "830", TN, "shortest cue" },
	{ "processing.subtitles.max_cue_ms", I, 500, 60000, NULL, "7000", TN, "longest cue" },
	{ "processing.subtitles.max_cps", N, 1, 100, NULL, "17", TN, "most characters per second a cue asks the viewer to read" },
	{ "processing.subtitles.min_gap_ms", I, 0, 10000, NULL, "80", TN, "gap between cues" },
	{ "processing.subtitles.pause_split_ms", I, 0, 60000, NULL, "700", TN, "a pause this long starts a new cue" },
	{ "processing.zoom.trash_after_publish", B, 0, 0, NULL, NULL, TN, "move the Zoom cloud recording to the trash once the lecture is published" },

	{ "metadata.title", S, 0, 1000, NULL, "\"{{title}}\"", TN, "title template of the published video" },
	{ "metadata.description", S, 0, 20000, NULL, "\"{{title}}\\n{{date}}\\n\\n{{topics}}\"", TN, "description template of the published video" },
	{ "metadata.tags", L, 0, 100, NULL, NULL, TN, "tags of the published video" },
	{ "metadata.n", I, 0, 100000, NULL, NULL, TN, "the lecture's number ({{n}})" },
	{ "metadata.vars.<name>", S, 0, 1000, NULL, NULL, TN, "a variable of the title and description templates" },

	{ "output_targets.youtube", W, 0, 0, NULL, NULL, TN, "publish to YouTube (false turns it off)" },
	{ "output_targets.youtube.account", S, 1, 40, NULL, NULL, TN, "named account the video goes through (zpub auth youtube --as NAME; unset: the default one)" },
	{ "output_targets.youtube.privacy", E, 0, 0, "private|unlisted|public", NULL, TN, "who may watch the video" },
	{ "output_targets.youtube.publish_at", S, 0, 64, NULL, NULL, TN, "when a private video becomes public (ISO 8601)" },
	{ "output_targets.youtube.playlist", S, 0, 128, NULL, NULL, TN, "playlist id the video is added to" },
	{ "output_targets.youtube.category", D, 1, 9999, NULL, NULL, TN, "YouTube category id (27 = Education)" },
	{ "output_targets.youtube.language", G, 0, 0, NULL, NULL, TN, "language of the title and description" },
	{ "output_targets.youtube.made_for_kids", B, 0, 0, NULL, NULL, TN, "the video is made for children" },
	{ "output_targets.youtube.tags", L, 0, 100, NULL, NULL, TN, "extra tags for YouTube" },
	{ "output_targets.vk", W, 0, 0, NULL, NULL, TN, "publish to VK (false turns it off)" },
	{ "output_targets.vk.account", S, 1, 40, NULL, NULL, TN, "named account the video goes through (zpub auth vk --as NAME; unset: the default one)" },
	{ "output_targets.vk.group", D, 1, 1e15, NULL, NULL, TN, "community the video goes to (\"club123\" or 123)" },
	{ "output_targets.vk.album", D, 1, 1e15, NULL, NULL, TN, "album id the video is added to" },
	{ "output_targets.vk.wallpost", B, 0, 0, NULL, NULL, TN, "also post the video on the wall" },
	{ "output_targets.vk.privacy", S, 0, 64, NULL, NULL, TN, "VK privacy_view (all, friends, nobody, ...)" },
	{ "output_targets.vk.privacy_comment", S, 0, 64, NULL, NULL, TN, "VK privacy_comment" },
	{ "output_targets.vk.is_private", B, 0, 0, NULL, NULL, TN, "upload as a private video" },
	{ "output_targets.folder", W, 0, 0, NULL, "{}", TN, "copy the results into publish.folder.path (false turns it off)" },

	{ "publish.to", C, 0, 3, "youtube|vk|folder", NULL, TN, "targets to publish to (else the keys of output_targets)" },
	{ "publish.review", E, 0, 0, "none|required", "\"none\"", TN, "required: a person approves a recording before it is published" },
	{ "publish.update_after_edit", B, 0, 0, NULL, "true", TN, "the daemon sends a READY recording's newly approved chapters to where it is published" },
	{ "publish.folder.path", S, 0, 4096, NULL, "\"\"", OP, "folder the folder target writes to (a file path)" },
	{ "publish.chunk_bytes", I, 262144, 268435456, NULL, "8388608", OP, "upload chunk size" },
	{ "publish.max_attempts", I, 1, 100, NULL, "8", OP, "attempts of one upload request" },
	{ "publish.backoff_base_ms", I, 0, 3600000, NULL, "1000", OP, "first wait between upload attempts" },
	{ "publish.backoff_cap_ms", I, 0, DAY, NULL, "60000", OP, "longest wait between upload attempts" },
	{ "publish.max_inline_wait_ms", I, 0, DAY, NULL, "300000", OP, "longest wait inside a stage before it is rescheduled" },

	{ "providers.zoom.api_base", U, 0, 0, NULL, "\"https://api.zoom.us/v2\"", OP, "Zoom API address" },
	{ "providers.zoom.oauth_base", U, 0, 0, NULL, "\"https://zoom.us\"", OP, "Zoom sign-in address" },
	{ "providers.zoom.client_id", D, 0, 0, NULL, "\"\"", OP, "Zoom app client id" },
	{ "providers.zoom.account_id", S, 0, 256, NULL, "\"\"", OP, "Zoom account id (server-to-server app)" },
	{ "providers.zoom.max_attempts", I, 1, 100, NULL, "5", OP, "attempts of one Zoom request" },
	{ "providers.zoom.retry_base_ms", I, 0, 3600000, NULL, "1000", OP, "first wait between Zoom attempts" },
	{ "providers.zoom.retry_cap_ms", I, 0, DAY, NULL, "30000", OP, "longest wait between Zoom attempts" },
	{ "providers.zoom.max_wait_ms", I, 0, DAY, NULL, "120000", OP, "longest wait zpub accepts from Zoom's rate limits" },
	{ "providers.zoom.download_retries", I, 0, 100, NULL, "7", OP, "retries of a failed download in a row" },
	{ "providers.zoom.download_max_requests", I, 1, 10000, NULL, "40", OP, "requests one download may take" },
	{ "providers.zoom.scope", E, 0, 0, "me|account", "\"me\"", OP, "me: the recordings of the connected user; account: every user's of the Zoom account (a Server-to-Server app with admin scopes), routed to tenants by providers.zoom.hosts" },
	{ "providers.zoom.include_inactive", B, 0, 0, NULL, "false", OP, "with scope account, also walk the account's inactive users" },
	{ "providers.zoom.hosts", M, 0, 1000, "host e-mail globs", "{}", OP, "with scope account, the tenant each host's recordings go to, by e-mail glob (* ? [...], case-insensitive); the most specific glob wins (most literal characters, then fewest wildcards, then the first written); a host no glob matches is skipped and counted" },
	{ "providers.google.auth_url", U, 0, 0, NULL, "\"https://accounts.google.com/o/oauth2/v2/auth\"", OP, "Google sign-in address" },
	{ "providers.google.token_url", U, 0, 0, NULL, "\"https://oauth2.googleapis.com/token\"", OP, "Google token address (receives the refresh token and client secret)" },
	{ "providers.google.revoke_url", U, 0, 0, NULL, "\"https://oauth2.googleapis.com/revoke\"", OP, "Google token revocation address" },
	{ "providers.google.client_id", D, 0, 0, NULL, "\"\"", OP, "Google OAuth client id" },
	{ "providers.youtube.api_base", U, 0, 0, NULL, "\"https://www.googleapis.com/youtube/v3\"", OP, "YouTube Data API address" },
	{ "providers.youtube.upload_base", U, 0, 0, NULL, "\"https://www.googleapis.com/upload/youtube/v3\"", OP, "YouTube upload address" },
	{ "providers.vk.api_base", U, 0, 0, NULL, "\"https://api.vk.com/method\"", OP, "VK API address" },
	{ "providers.vk.oauth_base", U, 0, 0, NULL, "\"https://id.vk.com\"", OP, "VK ID sign-in address" },
	{ "providers.vk.client_id", D, 0, 0, NULL, "\"\"", OP, "VK app id" },
	{ "providers.vk.version", S, 0, 16, NULL, "\"5.199\"", OP, "VK API version" },
	{ "providers.transcription.name", S, 0, 64, NULL, NULL, OP, "name of the transcription service in messages" },
	{ "providers.transcription.base_url", U, 0, 0, NULL, "\"https://audio-turbo.api.fireworks.ai/v1\"", OP, "transcription service address (receives the transcription key)" },
	{ "providers.transcription.path", S, 0, 256, NULL, "\"/audio/transcriptions\"", OP, "path of the transcription request" },
	{ "providers.transcription.model", S, 0, 128, NULL, "\"whisper-v3-turbo\"", OP, "transcription model" },
	{ "providers.transcription.models", L, 0, 32, NULL, "[\"whisper-v3\", \"whisper-v3-turbo\"]", OP, "models a tenant or template may choose with processing.transcription.model" },
	{ "providers.transcription.price_per_minute", N, 0, 1000, NULL, "0.0009", OP, "price of a minute of audio (for the cost report)" },
	{ "providers.transcription.timeout_ms", I, 0, DAY, NULL, "900000", OP, "longest transcription request (0 = none)" },
	{ "providers.transcription.max_attempts", I, 1, 100, NULL, "5", OP, "attempts of one transcription request" },
	{ "providers.transcription.retry_base_ms", I, 0, 3600000, NULL, "1000", OP, "first wait between transcription attempts" },
	{ "providers.chat.name", S, 0, 64, NULL, NULL, OP, "name of the chat service in messages" },
	{ "providers.chat.base_url", U, 0, 0, NULL, "\"https://api.deepseek.com\"", OP, "chat service address (receives the chat key)" },
	{ "providers.chat.path", S, 0, 256, NULL, "\"/chat/completions\"", OP, "path of the chat request" },
	{ "providers.chat.model", S, 0, 128, NULL, "\"deepseek-chat\"", OP, "chat model" },
	{ "providers.chat.context_tokens", I, 1000, 10000000, NULL, "64000", OP, "the model's context window" },
	{ "providers.chat.timeout_ms", I, 0, DAY, NULL, "660000", OP, "longest chat request (0 = none)" },
	{ "providers.chat.max_attempts", I, 1, 100, NULL, "5", OP, "attempts of one chat request" },
	{ "providers.chat.retry_base_ms", I, 0, 3600000, NULL, "1000", OP, "first wait between chat attempts" },
	{ "providers.chat.price_input_per_mtok", N, 0, 1000, NULL, "0.28", OP, "price of a million input tokens" },
	{ "providers.chat.price_output_per_mtok", N, 0, 1000, NULL, "0.42", OP, "price of a million output tokens" },

	{ "prices.<kind>", N, 0, 1e9, NULL, NULL, OP, "price of one unit of a kind of usage, any provider" },
	{ "prices.<kind>.<provider>", N, 0, 1e9, NULL, NULL, OP, "price of one unit of a kind of usage at one provider (\"*\" = any)" },
	{ "daemon.workers", I, 1, 64, NULL, "2", OP, "stages the daemon runs at once" },
	{ "daemon.per_tenant", I, 1, 64, NULL, NULL, OP, "stages one tenant may run at once (default: daemon.workers)" },
	{ "daemon.tick_ms", I, 10, 60000, NULL, "1000", OP, "how often the daemon looks for work" },
	{ "daemon.stop_timeout_ms", I, 0, 600000, NULL, "10000", OP, "how long a stop waits for running stages" },
	{ "daemon.min_free_mb", I, 0, 1048576, NULL, "64", OP, "free space the data folder's disk must keep; below it GET /ready answers 503" },
	{ "daemon.until", E, 0, 0, STATUSES, NULL, SY, "status the daemon takes recordings to (default READY)" },
	{ "daemon.job", I, 1, 1e15, NULL, NULL, SY, "the job that imported a recording (written by zpub)" },
	{ "api.rate_per_minute", I, 0, 1000000, NULL, "60", OP, "API requests a token may make per minute" },
	{ "api.rate_per_hour", I, 0, 10000000, NULL, "1000", OP, "API requests a token may make per hour" },
	{ "api.max_request_bytes", I, 1024, 67108864, NULL, "65536", OP, "largest API request" },
	{ "api.header_timeout_ms", I, 100, 300000, NULL, "10000", OP, "time a client has to send a whole request head (else 408)" },
	{ "api.idle_timeout_ms", I, 100, 3600000, NULL, "30000", OP, "time a request body may stall (else 408)" },
	{ "api.max_connections", I, 1, 4096, NULL, "64", OP, "connections the API serves at once (past it: 503 with Retry-After)" },
	{ "api.max_per_peer", I, 1, 4096, NULL, "32", OP, "connections one address may hold (past it: 503 with Retry-After)" },
	{ "api.public_url", U, 0, 0, NULL, NULL, OP, "address clients reach the API at through a reverse proxy (https://zpub.example.org): the OAuth redirect of sign-ins started through the API is this + /oauth/callback, and the API answers to its host name (unset: the API's own loopback address)" },
	{ "api.max_upload_mb", I, 1, 1048576, NULL, "4096", OP, "largest file the API takes as an upload (POST /uploads, POST /recordings; past it: 413 before any byte)" },
	{ "api.upload_expiry_h", I, 1, 720, NULL, "24", OP, "hours an unfinished upload is kept untouched before the daemon removes it" },
	{ "notify.webhooks.<name>.url", U, 0, 0, NULL, NULL, OP, "address a webhook's events are posted to (operator's only: a tenant cannot set one)" },
	{ "notify.webhooks.<name>.events", L, 0, 5, "ready|failed|review_pending|reauth_needed|quota_reached", NULL, OP, "events the webhook gets (unset or empty: all)" },
	{ "notify.email.<name>.smtp_url", U, 0, 0, "smtp|smtps", NULL, OP, "mail server e-mail <name> is sent through, e.g. smtps://mail.example:465 (no user or password in it; operator's only)" },
	{ "notify.email.<name>.user", S, 0, 320, NULL, NULL, OP, "user name at the mail server (default: from); its password is the secret notify.email.<name>" },
	{ "notify.email.<name>.from", S, 0, 254, "@email", NULL, OP, "sender address of e-mail <name>" },
	{ "notify.email.<name>.to", L, 0, 50, "@email", NULL, OP, "addresses e-mail <name> goes to" },
	{ "notify.email.<name>.events", L, 0, 5, "ready|failed|review_pending|reauth_needed|quota_reached", NULL, OP, "events e-mail <name> reports (unset or empty: all)" },
	{ "notify.retry_base_ms", I, 100, 3600000, NULL, "10000", OP, "first wait before a failed webhook or e-mail delivery is tried again" },
	{ "notify.retry_cap_ms", I, 100, DAY, NULL, "3600000", OP, "longest wait between attempts of a webhook or e-mail delivery" },
	{ "notify.timeout_ms", I, 100, 600000, NULL, "10000", OP, "longest webhook request or e-mail conversation" },
	{ "jobs.watch_roots.<tenant>", L, 0, 64, NULL, NULL, OP, "absolute folders the tenant's watch jobs may read besides its inbox (\"*\" = every tenant)" },
	{ "templates.no_match", E, 0, 0, "default|skip|none", "\"default\"", TN, "what a recording no template matches gets" },
	{ "templates.default", S, 0, 200, NULL, "\"default\"", TN, "the template no_match=default uses" },
	{ "ui.player", S, 0, 1024, NULL, NULL, OP, "the player previews open: a command with {file} and {seconds}, run without a shell (unset: the first of mpv, ffplay, vlc on PATH)" },
	{ "ui.keys.<action>", S, 0, 256, NULL, NULL, OP, "keys added to an action of the terminal app, e.g. \"j n\" (\"=j n\" replaces its default keys)" },
};
const size_t zs_n_keys = sizeof zs_keys / sizeof zs_keys[0];

const struct zs_secret zs_secrets[] = {
	{ "transcription", 0, "API key of the transcription service" },
	{ "chat", 0, "API key of the chat (topics, translation) service" },
	{ "zoom.client_secret", 0, "client secret of the Zoom app" },
	{ "api.metrics_token", 0, "bearer token of GET /metrics (all tenants' numbers; at least 16 characters)" },
	{ "notify.<name>", 0, "key of webhook <name>'s HMAC-SHA256 signature (X-Zpub-Signature)" },
	{ "notify.email.<name>", 0, "password of e-mail <name> at its mail server (unset: no sign-in)" },
	{ "zoom.webhook_secret", 0, "secret token of the Zoom app's event notifications (POST /hooks/zoom)" },
	{ "google.client_secret", 0, "client secret of the Google OAuth client" },
	{ "vk.client_secret", 0, "client secret of the VK app" },
	{ "oauth.zoom", 1, "Zoom tokens (zpub auth zoom)" },
	{ "oauth.youtube", 1, "YouTube tokens (zpub auth youtube)" },
	{ "oauth.vk", 1, "VK tokens (zpub auth vk)" },
};
const size_t zs_n_secrets = sizeof zs_secrets / sizeof zs_secrets[0];

/* ISO 639-1. */
static const char LANGS[] =
    " aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu"
    " cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi"
    " ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks"
    " ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl"
    " nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl"
    " sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve"
    " vi vo wa wo xh yi yo za zh zu ";

const char *
zs_type_name(enum zs_type t)
{
	static const char *const names[] = { "int", "number", "bool", "string", "url", "enum",
		"list", "list", "id", "language", "object", "map" };
	return names[t];
}

/* ---- keys and patterns ---- */

/* 1 when the dotted key matches pattern (whose "<x>" segments match any one
 * segment); with prefix, when key is a proper prefix of what pattern matches. */
static int
key_match(const char *pat, const char *key, int prefix)
{
	for (;;) {
		const char *pd = strchr(pat, '.'), *kd = strchr(key, '.');
		size_t pl = pd ? (size_t)(pd - pat) : strlen(pat);
		size_t kl = kd ? (size_t)(kd - key) : strlen(key);
		if (kl == 0)
			return 0;
		if (!(pat[0] == '<' || (pl == kl && memcmp(pat, key, kl) == 0)))
			return 0;
		if (kd == NULL)
			return prefix ? pd != NULL : pd == NULL;
		if (pd == NULL)
			return 0;
		pat = pd + 1;
		key = kd + 1;
	}
}

const struct zs_key *
zs_lookup(const char *key)
{
	for (size_t i = 0; i < zs_n_keys; i++)
		if (key_match(zs_keys[i].key, key, 0))
			return &zs_keys[i];
	return NULL;
}

/* 1 when keys lie below key ("" = the root). */
static int
is_section(const char *key)
{
	if (*key == '\0')
		return 1;
	for (size_t i = 0; i < zs_n_keys; i++)
		if (key_match(zs_keys[i].key, key, 1))
			return 1;
	return 0;
}

/* The most demanding owner of the keys at or below key, for the sentence
 * that refuses a whole section. */
static int
may_set(const struct zs_key *k, enum zs_scope scope)
{
	if (scope == ZS_SCOPE_OPERATOR)
		return 1;
	if (k->owner == ZS_TENANT)
		return 1;
	return scope == ZS_SCOPE_RECORDING && k->owner == ZS_SYSTEM;
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

/* The known key (or section) nearest to key, or NULL when none is near. */
static const char *
nearest_key(const char *key, char *buf, size_t n)
{
	size_t best = (size_t)-1;
	const char *hit = NULL;
	for (size_t i = 0; i < zs_n_keys; i++) {
		/* compare with the whole key and with each of its sections */
		char cand[160];
		snprintf(cand, sizeof cand, "%s", zs_keys[i].key);
		for (;;) {
			size_t d = edit_distance(key, cand);
			if (d < best) {
				best = d;
				snprintf(buf, n, "%s", cand);
				hit = buf;
			}
			char *dot = strrchr(cand, '.');
			if (dot == NULL)
				break;
			*dot = '\0';
		}
	}
	size_t limit = strlen(key) / 4 + 2;
	return best <= limit ? hit : NULL;
}

static int
unknown_key(const char *key, struct zpub_err *err)
{
	char near[160];
	const char *dym = nearest_key(key, near, sizeof near);
	if (dym)
		return zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a zpub setting; did you mean"
		    " '%s'? ('zpub config keys' lists them all)", key, dym);
	return zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a zpub setting ('zpub config keys'"
	    " lists them all)", key);
}

static int
operator_key(const char *key, struct zpub_err *err)
{
	return zpub_err_set(err, ZPUB_EINVAL, "%s is the operator's setting: a tenant, a template"
	    " or a job cannot set it (the operator sets it with 'zpub config set')", key);
}

/* ---- values ---- */

static int
choice_ok(const char *choices, const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return 0;
	for (const char *p = choices; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == n && memcmp(p, s, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* An address as SMTP takes it in MAIL FROM and RCPT TO: local@domain of
 * printable ASCII, nothing a header or an SMTP command could be split with. */
static int
email_ok(const char *s)
{
	const char *at = strrchr(s, '@');
	size_t n = strlen(s);
	if (n < 3 || n > 254 || at == NULL || at == s || at[1] == '\0')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>()[],;:\\\"", *p))
			return 0;
	return 1;
}

/* scheme://host[:port][/path] with a scheme of choices and no user info
 * (a password belongs in the vault). */
static int
url_of_scheme_ok(const char *choices, const char *s)
{
	const char *sep = strstr(s, "://");
	char scheme[16];
	if (sep == NULL || sep == s || (size_t)(sep - s) >= sizeof scheme ||
	    strlen(s) >= 2048 || strpbrk(s, " \t\r\n"))
		return 0;
	memcpy(scheme, s, (size_t)(sep - s));
	scheme[sep - s] = '\0';
	size_t host = strcspn(sep + 3, "/?#");
	return choice_ok(choices, scheme) && host > 0 && memchr(sep + 3, '@', host) == NULL;
}

/* "" or an absolute path: the same on every host. */
static int
abspath_ok(const char *s)
{
	return *s == '\0' || (*s == '/' && strlen(s) <= 4096 && utf8_valid(s, strlen(s)));
}

/* "" or postgresql://[user@]host[:port]/name[?...] with no password in it
 * (that belongs in ZPUB_DATABASE_URL or ~/.pgpass, not in config.json). */
static int
pgurl_ok(const char *s)
{
	if (*s == '\0')
		return 1;
	const char *rest = strncmp(s, "postgresql://", 13) == 0 ? s + 13 :
	    strncmp(s, "postgres://", 11) == 0 ? s + 11 : NULL;
	if (rest == NULL || strlen(s) >= 2048 || strpbrk(s, " \t\r\n") ||
	    strstr(s, "password=") != NULL)
		return 0;
	size_t auth = strcspn(rest, "/?#");
	const char *at = memchr(rest, '@', auth);
	return !(at && memchr(rest, ':', (size_t)(at - rest)) != NULL);
}

static int
lang_ok(const char *s)
{
	if (*s == '\0')
		return 1;
	if (!(s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'))
		return 0;
	char code[5] = { ' ', s[0], s[1], ' ', 0 };
	if (strstr(LANGS, code) == NULL)
		return 0;
	if (s[2] == '\0')
		return 1;
	if (s[2] != '-' && s[2] != '_')
		return 0;
	size_t rl = strlen(s + 3);
	if (rl < 2 || rl > 8)
		return 0;
	for (const char *p = s + 3; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

static void
shown(const cJSON *v, char *out, size_t n)
{
	char *t = cJSON_PrintUnformatted(v);
	if (t == NULL)
		snprintf(out, n, "%s", cJSON_IsNumber(v) ? "a number too large" : "?");
	else
		snprintf(out, n, "%s", t);
	if (strlen(out) > 60)
		snprintf(out + 57, n - 57, "...");
	cJSON_free(t);
}

/* What key allows, as words. */
static void
allowed(const struct zs_key *k, char *out, size_t n)
{
	switch (k->type) {
	case ZS_INT:
		snprintf(out, n, "a whole number from %.0f to %.0f", k->min, k->max);
		break;
	case ZS_NUM:
		snprintf(out, n, "a number from %g to %g%s", k->min, k->max,
		    k->choices ? ", or null (off)" : "");
		break;
	case ZS_BOOL:
		snprintf(out, n, "true or false");
		break;
	case ZS_STR:
		if (k->choices && strcmp(k->choices, "@abspath") == 0)
			snprintf(out, n, "an absolute path such as \"/srv/zpub\", or \"\"");
		else if (k->choices && strcmp(k->choices, "@pgurl") == 0)
			snprintf(out, n, "\"\" or a postgresql://USER@HOST:PORT/NAME address without"
			    " a password (that goes in ZPUB_DATABASE_URL or ~/.pgpass)");
		else if (k->choices)
			snprintf(out, n, "an e-mail address such as \"zpub@uni.example\"");
		else
			snprintf(out, n, "a string of at most %.0f bytes", k->max > 0 ? k->max : 4096);
		break;
	case ZS_URL:
		if (k->choices)
			snprintf(out, n, "an address of scheme %s, with no user or password in it",
			    k->choices);
		else
			snprintf(out, n, "an http:// or https:// address");
		break;
	case ZS_ENUM:
		snprintf(out, n, "one of %s", k->choices);
		break;
	case ZS_LIST:
	case ZS_CSV:
		if (k->choices && strcmp(k->choices, "@lang") == 0)
			snprintf(out, n, "a list of at most %.0f language codes such as [\"en\", \"ru\"]",
			    k->max);
		else if (k->choices && strcmp(k->choices, "@email") == 0)
			snprintf(out, n, "a list of at most %.0f e-mail addresses such as"
			    " [\"office@uni.example\"]", k->max);
		else if (k->choices)
			snprintf(out, n, "a list of at most %.0f of %s%s", k->max, k->choices,
			    k->type == ZS_CSV ? " (or one string \"a,b\")" : "");
		else
			snprintf(out, n, "a list of at most %.0f strings", k->max);
		break;
	case ZS_ID:
		snprintf(out, n, "an id: a whole number or a string");
		break;
	case ZS_LANG:
		snprintf(out, n, "a language code such as \"en\", \"ru\" or \"pt-BR\" (or \"\")");
		break;
	case ZS_SWITCH:
		snprintf(out, n, "false, or an object of %s's settings", k->key);
		break;
	case ZS_MAP:
		snprintf(out, n, "an object of at most %.0f %s, each to a string such as"
		    " {\"*@math.uni.example\": \"math\"}", k->max, k->choices ? k->choices : "names");
		break;
	}
}

static int
list_item_ok(const struct zs_key *k, const char *s)
{
	if (k->choices == NULL)
		return strlen(s) <= 500;
	if (strcmp(k->choices, "@lang") == 0)
		return *s && lang_ok(s);
	if (strcmp(k->choices, "@email") == 0)
		return email_ok(s);
	return choice_ok(k->choices, s);
}

static int
value_ok(const struct zs_key *k, const cJSON *v)
{
	switch (k->type) {
	case ZS_INT:
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= k->min &&
		    v->valuedouble <= k->max && v->valuedouble == floor(v->valuedouble);
	case ZS_NUM:
		if (k->choices != NULL && cJSON_IsNull(v))
			return 1;   /* choices "null": null turns it off */
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= k->min &&
		    v->valuedouble <= k->max;
	case ZS_BOOL:
		return cJSON_IsBool(v);
	case ZS_STR:
		if (k->choices && cJSON_IsString(v))    /* "@email", "@abspath", "@pgurl" */
			return strcmp(k->choices, "@abspath") == 0 ? abspath_ok(v->valuestring) :
			    strcmp(k->choices, "@pgurl") == 0 ? pgurl_ok(v->valuestring) :
			    email_ok(v->valuestring);
		return cJSON_IsString(v) && strlen(v->valuestring) <= (k->max > 0 ? k->max : 4096) &&
		    utf8_valid(v->valuestring, strlen(v->valuestring));
	case ZS_URL:
		if (k->choices)
			return cJSON_IsString(v) && url_of_scheme_ok(k->choices, v->valuestring);
		return cJSON_IsString(v) && strlen(v->valuestring) < 2048 &&
		    (strncmp(v->valuestring, "http://", 7) == 0 ||
		    strncmp(v->valuestring, "https://", 8) == 0) && !strpbrk(v->valuestring, " \t\r\n");
	case ZS_ENUM:
		return cJSON_IsString(v) && choice_ok(k->choices, v->valuestring);
	case ZS_CSV:
		if (cJSON_IsString(v)) {
			char *s = xstrdup(v->valuestring), *save = NULL;
			int ok = 1, count = 0;
			for (char *t = strtok_r(s, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
				ok &= list_item_ok(k, t) && ++count <= k->max;
			free(s);
			return ok;
		}
		/* fall through */
	case ZS_LIST: {
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > (int)k->max)
			return 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, v)
			if (!cJSON_IsString(e) || !list_item_ok(k, e->valuestring))
				return 0;
		return 1;
	}
	case ZS_ID:
		if (cJSON_IsString(v))
			return strlen(v->valuestring) <= 128;
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		    v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) <= 1e15;
	case ZS_LANG:
		return cJSON_IsString(v) && lang_ok(v->valuestring);
	case ZS_SWITCH:
		return cJSON_IsFalse(v) || cJSON_IsTrue(v) || cJSON_IsObject(v);
	case ZS_MAP: {
		if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) > (int)k->max)
			return 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, v)
			if (e->string == NULL || *e->string == '\0' || strlen(e->string) > 320 ||
			    !cJSON_IsString(e) || strlen(e->valuestring) > 256 ||
			    !utf8_valid(e->string, strlen(e->string)))
				return 0;
		return 1;
	}
	}
	return 0;
}

/* The walk shared by zs_check and zs_strip: calls bad for every key that
 * the scope may not hold (with the sentence why); stops at the first when
 * bad returns nonzero. */
typedef int (*bad_fn)(void *ud, cJSON *parent, cJSON *item, const char *key,
    const struct zpub_err *why);
static int strip_one(void *ud, cJSON *parent, cJSON *item, const char *key,
    const struct zpub_err *why);

static int
walk(const char *key, cJSON *parent, cJSON *v, enum zs_scope scope, bad_fn bad, void *ud)
{
	struct zpub_err why;
	const struct zs_key *k = *key ? zs_lookup(key) : NULL;
	zpub_err_clear(&why);
	int descend = k && cJSON_IsObject(v) && (k->type == ZS_SWITCH || is_section(key));
	if (k && !may_set(k, scope) && !descend) {
		operator_key(key, &why);
		return bad(ud, parent, v, key, &why);
	}
	if (k && !descend) {
		if (value_ok(k, v))
			return 0;
		char val[72], allow[200];
		shown(v, val, sizeof val);
		allowed(k, allow, sizeof allow);
		zpub_err_set(&why, ZPUB_EINVAL, "%s cannot be %s: it takes %s", key, val, allow);
		return bad(ud, parent, v, key, &why);
	}
	if (!(k && k->type == ZS_SWITCH) && !is_section(key)) {
		unknown_key(key, &why);
		return bad(ud, parent, v, key, &why);
	}
	if (!cJSON_IsObject(v)) {
		char val[72];
		shown(v, val, sizeof val);
		zpub_err_set(&why, ZPUB_EINVAL, "%s is a section, not a value: it cannot be %s; set"
		    " the keys in it (an object such as {\"key\": value}), see 'zpub config keys %s'",
		    *key ? key : "the configuration", val, key);
		return bad(ud, parent, v, key, &why);
	}
	cJSON *c = v->child;
	int had_children = c != NULL;
	while (c) {
		cJSON *next = c->next;
		char sub[256];
		if (c->string == NULL || *c->string == '\0' || strchr(c->string, '.')) {
			zpub_err_set(&why, ZPUB_EINVAL, "'%s' under %s is not a setting name",
			    c->string ? c->string : "", *key ? key : "the configuration");
			int rc = bad(ud, v, c, key, &why);
			if (rc)
				return rc;
		} else {
			snprintf(sub, sizeof sub, "%s%s%s", key, *key ? "." : "", c->string);
			int rc = walk(sub, v, c, scope, bad, ud);
			if (rc)
				return rc;
		}
		c = next;
	}
	/* a section the strip emptied goes too ("providers": {} says nothing) */
	if (bad == strip_one && v->child == NULL && had_children && parent)
		cJSON_Delete(cJSON_DetachItemViaPointer(parent, v));
	return 0;
}

static int
first_bad(void *ud, cJSON *parent, cJSON *item, const char *key, const struct zpub_err *why)
{
	(void)parent;
	(void)item;
	(void)key;
	struct zpub_err *err = ud;
	if (err)
		*err = *why;
	return ZPUB_EINVAL;
}

int
zs_check(const char *key, const cJSON *v, enum zs_scope scope, struct zpub_err *err)
{
	/* walk does not change v when bad only reports */
	return walk(key, NULL, (cJSON *)v, scope, first_bad, err);
}

struct strip {
	zs_note_fn note;
	void *ud;
	int n;
};

static int
strip_one(void *ud, cJSON *parent, cJSON *item, const char *key, const struct zpub_err *why)
{
	struct strip *s = ud;
	if (s->note)
		s->note(s->ud, key, why->msg);
	if (parent)
		cJSON_Delete(cJSON_DetachItemViaPointer(parent, item));
	s->n++;
	return 0;
}

int
zs_strip(cJSON *layer, enum zs_scope scope, zs_note_fn note, void *ud)
{
	struct strip s = { note, ud, 0 };
	if (!cJSON_IsObject(layer))
		return 0;
	walk("", NULL, layer, scope, strip_one, &s);
	return s.n;
}

/* ---- reading a number the code depends on ---- */

int
zs_int(const cJSON *cfg, const char *key, int64_t *out, struct zpub_err *err)
{
	const struct zs_key *k = zs_lookup(key);
	if (k == NULL || k->type != ZS_INT || k->def == NULL)
		abort();    /* a caller naming a key the table lacks: caught by any test */
	int64_t lo = (int64_t)k->min, hi = (int64_t)k->max, def = strtoll(k->def, NULL, 10);
	const cJSON *v = config_find(cfg, key);

	if (v == NULL || cJSON_IsNull(v)) {
		*out = def;
		return 0;
	}
	if (jnum_get(v, lo, hi, out) && v->valuedouble == (double)*out)
		return 0;
	char *text = cJSON_PrintUnformatted(v);
	if (!cJSON_IsNumber(v))
		zpub_err_set(err, ZPUB_EINVAL, "%s must be a number; %s is %.40s, which zpub cannot"
		    " use: it takes a whole number from %lld to %lld; fix it with `zpub config set"
		    " %s %lld`", key, key, text ? text : "?", (long long)lo, (long long)hi, key,
		    (long long)def);
	else
		zpub_err_set(err, ZPUB_EINVAL, "%s is %.40s but must be from %lld to %lld (a whole"
		    " number); fix it with `zpub config set %s %lld`", key, text ? text : "?",
		    (long long)lo, (long long)hi, key, (long long)def);
	free(text);
	return ZPUB_EINVAL;
}

/* ---- defaults and parsing ---- */

cJSON *
zs_defaults(void)
{
	cJSON *root = cJSON_CreateObject();
	for (size_t i = 0; i < zs_n_keys; i++) {
		const struct zs_key *k = &zs_keys[i];
		if (k->def == NULL)
			continue;
		cJSON *cur = root;
		char buf[160];
		snprintf(buf, sizeof buf, "%s", k->key);
		char *p = buf;
		for (char *dot; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
			*dot = '\0';
			cJSON *next = cJSON_GetObjectItemCaseSensitive(cur, p);
			if (next == NULL)
				next = cJSON_AddObjectToObject(cur, p);
			cur = next;
		}
		cJSON *v = cJSON_Parse(k->def);
		if (v == NULL || !cur)
			abort();	/* a broken default in the table; the unit test catches it */
		cJSON_AddItemToObject(cur, p, v);
	}
	return root;
}

static int
wants_string(const struct zs_key *k)
{
	return k && (k->type == ZS_STR || k->type == ZS_ENUM || k->type == ZS_LANG ||
	    k->type == ZS_URL || k->type == ZS_CSV);
}

cJSON *
zs_parse_value(const char *key, const char *text, struct zpub_err *err)
{
	cJSON *v = cJSON_Parse(text);
	const struct zs_key *k = zs_lookup(key);
	if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
		cJSON_Delete(v);
		zpub_err_set(err, ZPUB_EINVAL, "%s cannot be %s: the number does not fit (it is"
		    " too large to hold)", key, text);
		return NULL;
	}
	/* `config set providers.vk.version 5.199` means the string */
	if (v && wants_string(k) && !cJSON_IsString(v) && !cJSON_IsArray(v) &&
	    !cJSON_IsObject(v)) {
		cJSON_Delete(v);
		v = NULL;
	}
	if (v == NULL)
		v = cJSON_CreateString(text);
	return v;
}

int
zs_secret_check(const char *name, struct zpub_err *err)
{
	char list[512] = "";
	for (size_t i = 0; i < zs_n_secrets; i++) {
		size_t sl = strlen(zs_secrets[i].name);
		const char *pat = strstr(zs_secrets[i].name, "<name>");

		/* "notify.<name>": any name of letters, digits, - and _ */
		if (pat != NULL) {
			size_t pl = (size_t)(pat - zs_secrets[i].name), k;
			int ok = strncmp(name, zs_secrets[i].name, pl) == 0 && name[pl] != '\0';

			for (k = pl; ok && name[k]; k++)
				ok = (name[k] >= 'a' && name[k] <= 'z') || (name[k] >= 'A' &&
				    name[k] <= 'Z') || (name[k] >= '0' && name[k] <= '9') ||
				    name[k] == '-' || name[k] == '_';
			if (ok && k - pl <= 64)
				return 0;
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", zs_secrets[i].name);
			continue;
		}

		/* "oauth.youtube.<account name>" too */
		if (strcmp(zs_secrets[i].name, name) == 0 || (zs_secrets[i].by_auth &&
		    strncmp(zs_secrets[i].name, name, sl) == 0 && name[sl] == '.')) {
			if (!zs_secrets[i].by_auth)
				return 0;
			return zpub_err_set(err, ZPUB_EINVAL, "secret '%s' holds sign-in tokens that"
			    " 'zpub auth %.*s' writes; it is not set by hand", name, (int)sl - 6,
			    name + 6);
		}
		if (!zs_secrets[i].by_auth) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", zs_secrets[i].name);
		}
	}
	return zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a secret zpub uses; the secrets are: %s",
	    name, list);
}

/* ---- checks registered by the fronts ---- */

static struct {
	const char *section;
	zs_section_fn fn;
} sections[4];

void
zs_register_section(const char *section, zs_section_fn fn)
{
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (sections[i].section == NULL || strcmp(sections[i].section, section) == 0) {
			sections[i].section = section;
			sections[i].fn = fn;
			return;
		}
}

int
zs_check_sections(const cJSON *layer, struct zpub_err *err, zs_warn_fn warn, void *ud)
{
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (sections[i].section == NULL)
			continue;
		const cJSON *v = layer;
		char path[128];
		snprintf(path, sizeof path, "%s", sections[i].section);
		for (char *save = NULL, *t = strtok_r(path, ".", &save); t && v;
		    t = strtok_r(NULL, ".", &save))
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, t) : NULL;
		if (v != NULL && sections[i].fn(v, err, warn, ud) != 0)
			return ZPUB_EINVAL;
	}
	return 0;
}
