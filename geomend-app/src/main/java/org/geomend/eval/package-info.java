/**
 * {@code geomend eval}: the comparison harness of issue 3. Methods ({@link org.geomend.eval.EvalMethod}) are drawn
 * on the tested base stations of a dataset ({@link org.geomend.dataset.Dataset}, as {@code geomend synth} writes it)
 * fold by fold ({@link org.geomend.eval.Split}: {@code cv5}, {@code loo-city}, {@code loo-env}), each map scored by
 * KS2 against the ground truth as it is drawn ({@link org.geomend.eval.Evaluator}, streaming, bounded memory), and
 * the results written as CSV, a Markdown report with DeepMEND's Table I / II figures beside ours, and PNG figures
 * ({@link org.geomend.eval.Report}, {@link org.geomend.report.Plots}).
 *
 * <p>Methods built: {@code voronoi}, {@code spdi}, {@code spdi-legacy} ({@link org.geomend.eval.ClosedFormMethod})
 * and the per-BS best-beta {@code spdi-oracle} ({@link org.geomend.eval.OracleMethod}, the teacher). Trained methods
 * of later issues implement {@link org.geomend.eval.EvalMethod#fit} and register in
 * {@link org.geomend.eval.EvalMethods#standard()}.
 *
 * <p>{@code geomend teacher} runs the same per-BS beta search on its own ({@link org.geomend.eval.Teacher}) and writes
 * beta*, the KS2-vs-beta curves and the soft labels ({@link org.geomend.eval.TeacherOutput}).
 */
package org.geomend.eval;
