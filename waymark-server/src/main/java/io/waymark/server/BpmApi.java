package io.waymark.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.approval.Approvals;
import io.waymark.blueprint.BlueprintStore;
import io.waymark.blueprint.Blueprints;
import io.waymark.review.Reviews;
import java.util.UUID;

/**
 * {@code /api/v1/blueprints} (definitions, versions, migration) and a record's blueprint:
 * {@code /api/v1/records/{module}/{id}/blueprint} (where it stands, what the caller may do and
 * why not), its transitions and its history; approval processes and requests; review processes,
 * reviews ({@code /api/v1/reviews}) and a record's review; My Jobs.
 */
final class BpmApi {
    private final Blueprints blueprints;
    private final Approvals approvals;
    private final Reviews reviews;
    private final io.waymark.jobs.MyJobs jobs;
    private final long maxBody;

    BpmApi(Blueprints blueprints, Approvals approvals, Reviews reviews, io.waymark.jobs.MyJobs jobs, long maxBody) {
        this.blueprints = blueprints;
        this.approvals = approvals;
        this.reviews = reviews;
        this.jobs = jobs;
        this.maxBody = maxBody;
    }

    private static UUID id(Context ctx) {
        return Params.pathId(ctx, "id");
    }

    void list(Context ctx) {
        Responses.json(ctx, 200, Responses.list(blueprints.list(Authentication.actor(ctx), Params.text(ctx, "module"))));
    }

    void create(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        ObjectNode b = blueprints.create(actor, JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/blueprints/" + b.get("id").asText());
        Responses.json(ctx, 201, b);
    }

    void get(Context ctx) {
        Responses.json(ctx, 200, blueprints.get(Authentication.actor(ctx), id(ctx)));
    }

    void update(Context ctx) {
        Responses.json(ctx, 200, blueprints.update(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void delete(Context ctx) {
        blueprints.delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    void version(Context ctx) {
        int version;
        try {
            version = Integer.parseInt(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            throw Params.invalid("version", "must be a whole number");
        }
        Responses.json(ctx, 200, blueprints.version(Authentication.actor(ctx), id(ctx), version));
    }

    void migrate(Context ctx) {
        Responses.json(ctx, 200, blueprints.migrate(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void recordView(Context ctx) {
        Responses.json(ctx, 200, blueprints.view(Authentication.actor(ctx), ctx.pathParam("module"), Params.recordId(ctx)));
    }

    void transition(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, blueprints.perform(actor, ctx.pathParam("module"), Params.recordId(ctx), ctx.pathParam("transition"),
                JsonBody.optional(ctx, maxBody)));
    }

    void recordHistory(Context ctx) {
        BlueprintStore.HistoryPage page = blueprints.history(Authentication.actor(ctx), ctx.pathParam("module"), Params.recordId(ctx),
                Params.limit(ctx), Params.cursor(ctx));
        Responses.json(ctx, 200, Responses.page(page.entries().stream().map(Blueprints::historyJson).toList(), page.next()));
    }

    // ------------------------------------------------------------------ approvals

    void listProcesses(Context ctx) {
        Responses.json(ctx, 200, Responses.list(approvals.list(Authentication.actor(ctx), Params.text(ctx, "module"))));
    }

    void createProcess(Context ctx) {
        ObjectNode p = approvals.create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/approval-processes/" + p.get("id").asText());
        Responses.json(ctx, 201, p);
    }

    void getProcess(Context ctx) {
        Responses.json(ctx, 200, approvals.get(Authentication.actor(ctx), id(ctx)));
    }

    void updateProcess(Context ctx) {
        Responses.json(ctx, 200, approvals.update(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void deleteProcess(Context ctx) {
        approvals.delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    void request(Context ctx) {
        Responses.json(ctx, 200, approvals.request(Authentication.actor(ctx), id(ctx)));
    }

    void approve(Context ctx) {
        Responses.json(ctx, 200, approvals.approve(Authentication.actor(ctx), id(ctx), JsonBody.optional(ctx, maxBody)));
    }

    void reject(Context ctx) {
        Responses.json(ctx, 200, approvals.reject(Authentication.actor(ctx), id(ctx), JsonBody.optional(ctx, maxBody)));
    }

    void delegate(Context ctx) {
        Responses.json(ctx, 200, approvals.delegate(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void recall(Context ctx) {
        Responses.json(ctx, 200, approvals.recall(Authentication.actor(ctx), id(ctx), JsonBody.optional(ctx, maxBody)));
    }

    void recordApprovals(Context ctx) {
        Responses.json(ctx, 200, Responses.list(approvals.ofRecord(Authentication.actor(ctx), ctx.pathParam("module"), Params.recordId(ctx))));
    }

    // ------------------------------------------------------------------ reviews

    void listReviewProcesses(Context ctx) {
        Responses.json(ctx, 200, Responses.list(reviews.list(Authentication.actor(ctx), Params.text(ctx, "module"))));
    }

    void createReviewProcess(Context ctx) {
        ObjectNode p = reviews.create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/review-processes/" + p.get("id").asText());
        Responses.json(ctx, 201, p);
    }

    void getReviewProcess(Context ctx) {
        Responses.json(ctx, 200, reviews.get(Authentication.actor(ctx), id(ctx)));
    }

    void updateReviewProcess(Context ctx) {
        Responses.json(ctx, 200, reviews.update(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void deleteReviewProcess(Context ctx) {
        reviews.delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    /** Reviews the caller may decide (all of them for a reviews manager); {@code status} (default pending) and {@code module} filter. */
    void reviews(Context ctx) {
        Responses.json(ctx, 200, Responses.list(reviews.list(Authentication.actor(ctx), Params.text(ctx, "status"), Params.text(ctx, "module"),
                Params.limit(ctx))));
    }

    void review(Context ctx) {
        Responses.json(ctx, 200, reviews.review(Authentication.actor(ctx), id(ctx)));
    }

    void decideReview(Context ctx) {
        Responses.json(ctx, 200, reviews.decide(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void resubmitReview(Context ctx) {
        Responses.json(ctx, 200, reviews.resubmit(Authentication.actor(ctx), id(ctx), JsonBody.optional(ctx, maxBody)));
    }

    void recordReview(Context ctx) {
        Responses.json(ctx, 200, reviews.ofRecord(Authentication.actor(ctx), ctx.pathParam("module"), Params.recordId(ctx)));
    }

    // ------------------------------------------------------------------ my jobs

    void myJobs(Context ctx) {
        Responses.json(ctx, 200, jobs.list(Authentication.actor(ctx), Params.text(ctx, "kind"), Params.text(ctx, "module")));
    }
}
