/*
 * prompt.c — the one-line editor at the bottom of the screen (search,
 * titles, times, JSON fields, masked API keys) and the y/N confirmation.
 * The typed text is wiped from memory when the line closes.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ui.h"

void
ui_prompt(struct ui *ui, const char *label, const char *initial, int masked,
    ui_prompt_fn fn, void *ctx)
{
	struct ui_prompt *p = &ui->prompt;
	memset(p, 0, sizeof *p);
	p->active = 1;
	p->masked = masked;
	ui_strlcpy(p->label, label, sizeof p->label);
	if (initial) {
		size_t n = mbstowcs(p->buf, initial, sizeof p->buf / sizeof p->buf[0] - 1);
		p->len = n == (size_t)-1 ? 0 : (int)n;
	}
	p->buf[p->len] = 0;
	p->pos = p->len;
	p->fn = fn;
	p->ctx = ctx;
	ui->dirty = 1;
}

void
ui_prompt_completion(struct ui *ui, ui_complete_fn fn)
{
	ui->prompt.complete = fn;
}

/* Tab: the completion rewrites the text, the cursor goes to its end. */
static int
complete(struct ui *ui, struct ui_prompt *p)
{
	char text[2048];
	if (p->complete == NULL)
		return 0;
	ui_prompt_text(p, text, sizeof text);
	p->complete(ui, p->ctx, text, sizeof text);
	size_t n = mbstowcs(p->buf, text, sizeof p->buf / sizeof p->buf[0] - 1);
	p->len = n == (size_t)-1 ? 0 : (int)n;
	p->buf[p->len] = 0;
	p->pos = p->len;
	return 1;
}

void
ui_prompt_text(const struct ui_prompt *p, char *out, size_t outsz)
{
	size_t n = wcstombs(out, p->buf, outsz - 1);
	if (n == (size_t)-1)
		n = 0;
	out[n] = '\0';
}

void
ui_prompt_key(struct ui *ui, int key)
{
	struct ui_prompt *p = &ui->prompt;
	char text[2048];
	int done = 0, changed = 0;
	if (key == '\n' || key == '\r' || key == (UI_KEYCODE | KEY_ENTER))
		done = 1;
	else if (key == 27 || key == 7 /* ^G */)
		done = -1;
	else if (key == '\t')
		changed = complete(ui, p);
	else if (key == (UI_KEYCODE | KEY_BACKSPACE) || key == 127 || key == 8) {
		if (p->pos > 0) {
			memmove(p->buf + p->pos - 1, p->buf + p->pos,
			    (size_t)(p->len - p->pos + 1) * sizeof(wchar_t));
			p->pos--;
			p->len--;
			changed = 1;
		}
	} else if (key == (UI_KEYCODE | KEY_DC) || key == 4) {
		if (p->pos < p->len) {
			memmove(p->buf + p->pos, p->buf + p->pos + 1,
			    (size_t)(p->len - p->pos) * sizeof(wchar_t));
			p->len--;
			changed = 1;
		}
	} else if (key == (UI_KEYCODE | KEY_LEFT)) {
		if (p->pos > 0) p->pos--;
	} else if (key == (UI_KEYCODE | KEY_RIGHT)) {
		if (p->pos < p->len) p->pos++;
	} else if (key == (UI_KEYCODE | KEY_HOME) || key == 1) {
		p->pos = 0;
	} else if (key == (UI_KEYCODE | KEY_END) || key == 5) {
		p->pos = p->len;
	} else if (key == 21 /* ^U */) {
		p->len = p->pos = 0;
		p->buf[0] = 0;
		changed = 1;
	} else if (!(key & UI_KEYCODE) && key >= 0x20 &&
	    p->len < (int)(sizeof p->buf / sizeof p->buf[0]) - 1) {
		memmove(p->buf + p->pos + 1, p->buf + p->pos,
		    (size_t)(p->len - p->pos + 1) * sizeof(wchar_t));
		p->buf[p->pos++] = (wchar_t)key;
		p->len++;
		changed = 1;
	}
	ui->dirty = 1;
	if (!done && !changed)
		return;
	ui_prompt_text(p, text, sizeof text);
	ui_prompt_fn fn = p->fn;
	void *ctx = p->ctx;
	if (done) {
		/* Wipe what was typed (it may be an API key) before calling back. */
		explicit_bzero(p->buf, sizeof p->buf);
		p->active = 0;
	}
	if (fn)
		fn(ui, ctx, text, done);
	explicit_bzero(text, sizeof text);
}

void
ui_confirm(struct ui *ui, const char *question, ui_confirm_fn fn, void *ctx)
{
	struct ui_confirm *c = &ui->confirm;
	c->active = 1;
	ui_strlcpy(c->question, question, sizeof c->question);
	c->fn = fn;
	c->ctx = ctx;
	ui->dirty = 1;
}

