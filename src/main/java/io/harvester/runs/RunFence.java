package io.harvester.runs;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Fencing (part of {@link RunRepository}): every write of a run's state by the instance working on it is
 * conditional on the run's row still naming this instance as {@code owner} at the {@code takeovers} count it
 * had when this instance began or took up the run (its epoch). A takeover changes both, so an instance that
 * was only paused past its lease and comes back writes nothing more to a run another instance continues:
 * the write changes no row, {@link RunFenced} is thrown, and the run's copy here is stopped (the listener,
 * {@link RunLifecycle#fenced}).
 * <p>
 * A statement on another table than {@code runs} reads the run's row in a CTE {@code fence} locked
 * {@code for key share}: a takeover's claim ({@code for update skip locked}) cannot change the row while such
 * a write is under way, and a write that starts after the claim sees the new owner. Writes for runs this
 * instance does not work on (the sweep's, a cancel of another instance's run) are not fenced.
 */
public final class RunFence {

    /** The condition on a {@code runs} row: owner and epoch as bound by {@link #heldParams}, any when not held. */
    static final String HELD = "owner is not distinct from coalesce(?::text, owner) and takeovers = coalesce(?::int, takeovers)";
    /** The CTE {@code fence}: the run's row while it is this instance's, bound by {@link #cteParams}. */
    public static final String CTE = "fence as (select id from runs where id = ? and " + HELD + " for key share)";
    /** A condition for statements on other tables: the run whose id is bound as the next parameter is running. */
    public static final String RUNNING = RunStatus.sql("exists (select 1 from runs r where r.id = ? and r.status = {RUNNING})");
    /** The condition a fenced write adds to its own: the run is still this instance's. */
    public static final String HOLDS = "exists (select 1 from fence)";
    /** The epoch of a run found fenced: no row has it, so every later write is refused too. */
    private static final int LOST = -1;

    private final RunSql sql;
    private final String owner;
    private final Map<Long, Integer> epochs = new ConcurrentHashMap<>();
    /** The lost runs whose listener was told. */
    private final Map<Long, Boolean> told = new ConcurrentHashMap<>();
    private volatile BiConsumer<Long, String> onLost = (id, why) -> { };

    RunFence(RunSql sql, String owner) {
        this.sql = sql;
        this.owner = owner;
    }

    /** Who stops the run's copy here when a write finds it fenced (given the run's id and why). */
    void onLost(BiConsumer<Long, String> listener) {
        this.onLost = listener;
    }

    /** This instance works on the run from now on, at the run's {@code takeovers} count. */
    void hold(long runId, int epoch) {
        epochs.put(runId, epoch);
        // taken up again after it was lost here once: a second loss is told again
        told.remove(runId);
    }

    /** The run ended here: its later writes (undoing, its log file) are its owner's, not fenced. A lost run stays lost. */
    void release(long runId) {
        epochs.computeIfPresent(runId, (id, epoch) -> epoch == LOST ? epoch : null);
    }

    /** Whether a write found the run fenced: its copy here writes nothing more. */
    public boolean isLost(long runId) {
        Integer epoch = epochs.get(runId);
        return epoch != null && epoch == LOST;
    }

    /** Parameters of {@link #HELD}: this instance and the run's epoch when it works on the run, else none. */
    Object[] heldParams(long runId) {
        Integer epoch = epochs.get(runId);
        return epoch == null ? new Object[] {null, null} : new Object[] {owner, epoch};
    }

    /** Parameters of {@link #CTE} that hold for any owner: a helper's writes, the run being another instance's. */
    public static Object[] unfenced(long runId) {
        return new Object[] {runId, null, null};
    }

    /** Parameters of {@link #CTE}. */
    public Object[] cteParams(long runId) {
        Object[] held = heldParams(runId);
        return new Object[] {runId, held[0], held[1]};
    }

    /**
     * Runs a write on another table than {@code runs} that names {@link #HOLDS} in its condition, behind the
     * fence: {@code with fence as (...), written as (statement) select count(*) from fence}. Throws
     * {@link RunFenced} when the run is no longer this instance's.
     */
    public void write(long runId, String statement, Object... params) {
        confirm(runId, write(cteParams(runId), statement, params));
    }

    /** The same write for a run this instance only helps with (another instance's): it holds for any owner. */
    public void writeAsHelper(long runId, String statement, Object... params) {
        write(unfenced(runId), statement, params);
    }

    private boolean write(Object[] fenceParams, String statement, Object... params) {
        Object[] all = new Object[3 + params.length];
        System.arraycopy(fenceParams, 0, all, 0, 3);
        System.arraycopy(params, 0, all, 3, params.length);
        return sql.queryId("with " + CTE + ", written as (" + statement + ") select count(*) from fence", all).orElse(0L) == 1;
    }

    /** After a fenced write: when the fence did not hold, throws {@link RunFenced} if the run was this instance's. */
    public void confirm(long runId, boolean fenceHeld) {
        if (!fenceHeld) {
            check(runId);
        }
    }

    private record Holder(String owner, int takeovers) {
    }

    /**
     * Throws {@link RunFenced} when the run is no longer this instance's (its row names another owner or epoch, or
     * is gone) while this instance works on it: after a fenced write that changed nothing, which a run that ended
     * meanwhile explains too, and before a step that cannot be undone in the database (a file renamed to its
     * final name).
     */
    public void check(long runId) {
        Integer epoch = epochs.get(runId);
        if (epoch == null) {
            return;
        }
        if (epoch == LOST) {
            throw refused(runId, "fenced earlier");
        }
        Optional<Holder> row = sql.queryOne("select owner, takeovers from runs where id = ?",
                r -> new Holder(r.getString("owner"), r.getInt("takeovers")), runId);
        if (row.isPresent() && owner.equals(row.get().owner()) && row.get().takeovers() == epoch) {
            return;
        }
        lose(runId, row.map(h -> takenBy(h.owner(), h.takeovers())).orElse("its row is gone"));
    }

    /** Marks the run lost here (when this instance works on it) and tells the listener, once. */
    public void lost(long runId, String why) {
        Integer before = epochs.computeIfPresent(runId, (id, epoch) -> LOST);
        if (before != null && !Boolean.TRUE.equals(told.put(runId, true))) {
            onLost.accept(runId, why);
        }
    }

    /** Marks the run lost here and refuses the write. */
    private void lose(long runId, String why) {
        lost(runId, why);
        throw refused(runId, why);
    }

    private static RunFenced refused(long runId, String why) {
        return new RunFenced(runId, "run " + runId + " is no longer this instance's (" + why + "): nothing written");
    }

    static String takenBy(String newOwner, int takeovers) {
        return "taken over by instance " + newOwner + ", takeover " + takeovers;
    }
}
