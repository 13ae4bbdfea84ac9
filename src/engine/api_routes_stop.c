/*
 * api_routes_stop.c — POST /recordings/{id}/cancel: stops the running stage
 * of a recording of the caller's tenant (stop.h), whichever process on the
 * daemon's machine runs it.  The request never waits: 200 with the
 * recording when it is stopped, 202 while its process is still stopping
 * (GET /recordings/{id} shows when it is), 409 when nothing runs.
 */
#include "api_int.h"

#include "recjson.h"
#include "stop.h"
#include "store.h"

void
h_rec_cancel(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct store_recording *rec = NULL;
	struct stop_result res;
	struct zpub_err err;
	(void)r;
	if (store_recording_get_in(a->st, c->tenant_id, id, &rec, &err) != 0) {
		reply_error(out, 404, "no recording %lld in your tenant", (long long)id);
		return;
	}
	store_recording_free(rec);
	rec = NULL;
	if (stop_recording(a->st, &c->who, id, 0, &res, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	if (store_recording_get(a->st, id, &rec, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *j = recjson_recording(rec);
	cJSON_AddBoolToObject(j, "stopping", !res.done);
	store_recording_free(rec);
	reply_json(out, res.done ? 200 : 202, j);
}
