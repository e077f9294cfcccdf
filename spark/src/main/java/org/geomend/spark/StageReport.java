package org.geomend.spark;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.SparkSession;

/**
 * How a job split into tasks: per completed stage its tasks, shuffle bytes written and read, and its wall time
 * (printed at the end of every job, for sizing a cluster).
 */
final class StageReport extends SparkListener {
    record Stage(int id, String name, int tasks, long shuffleWrite, long shuffleRead, long millis) {}

    private final List<Stage> stages = new ArrayList<>();
    private SparkSession session;

    static StageReport attach(SparkSession s) {
        StageReport r = new StageReport();
        r.session = s;
        s.sparkContext().addSparkListener(r);
        return r;
    }

    /** Waits (at most 10 s) until the listener bus delivered every event so far (it is asynchronous), then detaches. */
    private void drain() {
        try {
            session.sparkContext().listenerBus().waitUntilEmpty(10_000);
        } catch (Exception e) {
            // a report line may then miss the last stages; the job's result does not depend on it
        }
        session.sparkContext().removeSparkListener(this);
    }

    @Override
    public synchronized void onStageCompleted(SparkListenerStageCompleted e) {
        StageInfo i = e.stageInfo();
        long ms = i.submissionTime().isDefined() && i.completionTime().isDefined()
                ? (Long) i.completionTime().get() - (Long) i.submissionTime().get()
                : -1;
        String name = i.name();
        int at = name.indexOf(" at ");
        stages.add(new Stage(
                i.stageId(),
                at > 0 ? name.substring(0, at) : name,
                i.numTasks(),
                i.taskMetrics().shuffleWriteMetrics().bytesWritten(),
                i.taskMetrics().shuffleReadMetrics().totalBytesRead(),
                ms));
    }

    synchronized List<Stage> stages() {
        return List.copyOf(stages);
    }

    void print(PrintStream out, String job) {
        drain();
        for (Stage s : stages()) print(out, job, s);
    }

    private static void print(PrintStream out, String job, Stage s) {
        out.printf(
                Locale.ROOT,
                "%s: stage %d %s: %d tasks, shuffle write %s, shuffle read %s, %.2f s%n",
                job,
                s.id,
                s.name,
                s.tasks,
                SparkMain.mib(s.shuffleWrite),
                SparkMain.mib(s.shuffleRead),
                s.millis / 1000.0);
    }
}
