/*
 * import.c — importing a file from the app: a path prompt whose Tab
 * completes directories and media files (the candidates shown term-safe
 * on the message line when there are several), then `zpub import PATH` in
 * a child, the same ingest_file() the command uses, so a big copy never
 * blocks the screen; when it ends the caller hears the new recording's id.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fmt.h"
#include "ui.h"
#include "util.h"

static const char *const media_ext[] = {
	"mp4", "m4v", "mkv", "mov", "webm", "avi", "mpg", "mpeg", "ts", "mts", "flv", "wmv",
	"m4a", "mp3", "wav", "flac", "ogg", "opus", "aac", NULL
};

struct import_ask {
	void (*done)(struct ui *ui, void *ctx, int64_t id);
	void *ctx;
};

static int
is_media(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot == NULL)
		return 0;
	for (int i = 0; media_ext[i]; i++)
		if (strcasecmp(dot + 1, media_ext[i]) == 0)
			return 1;
	return 0;
}

/* A leading "~/" as $HOME. */
static void
expand_home(const char *in, char *out, size_t outsz)
{
	const char *home = getenv("HOME");
	if (in[0] == '~' && (in[1] == '/' || in[1] == '\0') && home)
		snprintf(out, outsz, "%s%s", home, in + 1);
	else
		snprintf(out, outsz, "%s", in);
}

/*
 * Tab: the directory part is listed; the names that start with the typed
 * rest (directories, and files that look like media) complete the text as
 * far as they agree; several are named on the message line.
 */
static void
complete_path(struct ui *ui, void *ctx, char *text, size_t textsz)
{
	(void)ctx;
	char path[4096], dir[4096], shown[512] = "";
	expand_home(text, path, sizeof path);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
	else
		snprintf(dir, sizeof dir, ".");
	DIR *d = opendir(dir);
	if (d == NULL) {
		ui_message(ui, 1, "cannot read the folder %s", dir);
		return;
	}
	size_t bl = strlen(base), common = 0, so = 0;
	char best[1024] = "";
	int n = 0, best_dir = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, base, bl) != 0 || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 || (bl == 0 && e->d_name[0] == '.'))
			continue;
		char full[8192];
		struct stat sb;
		snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
		int isdir = stat(full, &sb) == 0 && S_ISDIR(sb.st_mode);
		if (!isdir && !is_media(e->d_name))
			continue;
		if (n == 0) {
			ui_strlcpy(best, e->d_name, sizeof best);
			common = strlen(best);
			best_dir = isdir;
		} else {
			size_t k = 0;
			while (k < common && best[k] == e->d_name[k])
				k++;
			common = k;
		}
		if (so < sizeof shown - 40)
			so += (size_t)snprintf(shown + so, sizeof shown - so, "%s%s%s", n ? "  " : "",
			    term_safe(e->d_name), isdir ? "/" : "");
		n++;
	}
	closedir(d);
	if (n == 0) {
		ui_message(ui, 1, "no folder or media file starts with “%s”", term_safe(base));
		return;
	}
	/* Whole code points only: the common part may end inside one. */
	common = utf8_floor(best, common);
	best[common] = '\0';
	size_t keep = (size_t)(base - path);
	char out[4096];
	snprintf(out, sizeof out, "%.*s%s%s", (int)keep, path, best, n == 1 && best_dir ? "/" : "");
	ui_strlcpy(text, out, textsz);
	if (n > 1)
		ui_message(ui, 0, "%d match: %s", n, shown);
	else
		ui_message(ui, 0, "%s", "");
}

/* The id is the last line of the child's output that is only digits. */
static int64_t
imported_id(const char *out)
{
	int64_t id = 0;
	for (const char *p = out; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), k = 0;
		while (k < n && p[k] >= '0' && p[k] <= '9')
			k++;
		if (n && k == n)
			id = strtoll(p, NULL, 10);
		p = nl ? nl + 1 : p + n;
	}
	return id;
}

static void
import_exited(struct ui *ui, struct ui_child *c, int ok)
{
	struct import_ask *ia = c->on_exit_ctx;
	int64_t id = ok ? imported_id(c->output) : 0;
	if (id > 0) {
		ia->done(ui, ia->ctx, id);
		ui_message(ui, 0, "imported as #%lld", (long long)id);
	}
}

static void
path_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct import_ask *ia = ctx;
	char path[4096];
	if (done == 0)
		return;
	if (done < 0 || text[0] == '\0') {
		free(ia);
		ui_message(ui, 0, "no file imported");
		return;
	}
	expand_home(text, path, sizeof path);
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		free(ia);
		ui_message(ui, 1, "%s is not a file: nothing imported", term_safe(path));
		return;
	}
	const char *args[] = { "import", "--", path, NULL };
	int slot = ui_spawn_cmd(ui, args, 0, "import");
	if (slot < 0) {
		free(ia);
		return;
	}
	/* An import half done is swept on the next start; let it finish. */
	ui->children[slot].kill_on_quit = 0;
	ui->children[slot].on_exit = import_exited;
	ui->children[slot].on_exit_ctx = ia;
	ui_message(ui, 0, "importing %s…", term_safe(path));
}

void
ui_import_ask(struct ui *ui, void (*done)(struct ui *ui, void *ctx, int64_t id), void *ctx)
{
	struct import_ask *ia = xcalloc(1, sizeof *ia);
	ia->done = done;
	ia->ctx = ctx;
	ui_prompt(ui, "Import file (Tab completes): ", "", 0, path_done, ia);
	ui_prompt_completion(ui, complete_path);
}
