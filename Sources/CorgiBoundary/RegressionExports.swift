import CorgiABI
import CorgiCore

/// The exact least-squares solver as C holds it: one ``NormalEquations`` per aggregate
/// (or per group), fed row by row, solved once (corgi_exact_regression.c).
final class LeastSquaresBox {
    let equations: NormalEquations
    init(_ equations: NormalEquations) { self.equations = equations }
}

/// C: `int32_t corgi_ols_open(int32_t feature_count, void **ols_out, CorgiError *error)`.
/// A fresh accumulator for rows of `feature_count` features (1 to 500).
@_cdecl("corgi_ols_open")
public func corgi_ols_open(
    _ featureCount: Int32, _ olsOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let olsOut else { return report(CORGI_INTERNAL, "corgi_ols_open: null argument", into: error) }
    olsOut.pointee = nil
    guard let equations = NormalEquations(featureCount: Int(featureCount)) else {
        return report(featureCount > 0 ? CORGI_PROGRAM_LIMIT : CORGI_INVALID_ARGUMENT,
                      "the exact solver takes 1 to \(NormalEquations.maximumFeatures) features, the first row has \(featureCount)",
                      hint: "Train wider inputs with corgi.train(..., 'linear') (SGD).", into: error)
    }
    olsOut.pointee = retainedPointer(to: LeastSquaresBox(equations))
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_ols_add(void *ols, const double *features, int32_t count, double target)`:
/// 1 when the row was added, 0 when refused (a length other than the accumulator's, a
/// value that is not finite, an invalid handle). The glue checks first and names the row.
@_cdecl("corgi_ols_add")
public func corgi_ols_add(_ ols: UnsafeMutableRawPointer?, _ features: UnsafePointer<Double>?, _ count: Int32, _ target: Double) -> Int32 {
    guard let box = borrow(ols, as: LeastSquaresBox.self), let features, count >= 0 else { return 0 }
    return box.equations.add(features: UnsafeBufferPointer(start: features, count: Int(count)), target: target) ? 1 : 0
}

/// C: `int32_t corgi_ols_add_block(void *ols, const double *features, int32_t count,
/// const double *targets, int32_t rows)`: `rows` rows of `count` features at once (row-major);
/// 1 when added, 0 when refused (a width other than the accumulator's, a value that is not
/// finite, an invalid handle).
@_cdecl("corgi_ols_add_block")
public func corgi_ols_add_block(_ ols: UnsafeMutableRawPointer?, _ features: UnsafePointer<Double>?, _ count: Int32,
                                _ targets: UnsafePointer<Double>?, _ rows: Int32) -> Int32 {
    guard let box = borrow(ols, as: LeastSquaresBox.self), let features, let targets, rows >= 0,
          Int(count) == box.equations.featureCount else { return 0 }
    return box.equations.add(block: features, targets: targets, rows: Int(rows)) ? 1 : 0
}

/// C: `int64_t corgi_ols_rows(void *ols)`: rows added so far (0 for an invalid handle).
@_cdecl("corgi_ols_rows")
public func corgi_ols_rows(_ ols: UnsafeMutableRawPointer?) -> Int64 {
    borrow(ols, as: LeastSquaresBox.self)?.equations.rows ?? 0
}

/// C: `int32_t corgi_ols_solve(void *ols, double *coef, double *std_err, double *t_stats,
/// double *p_values, double *variance_covariance, double *scalars)`.
/// Writes the fit: `coef`, `std_err`, `t_stats`, `p_values` (k values each),
/// `variance_covariance` (k x k, row-major) and `scalars` = {r2, condition_no, rank,
/// statistics available (1) or not (0: n <= k, the four per-coefficient arrays but coef
/// are left untouched), residual sum of squares}. Returns 1, or 0 without rows or for an
/// invalid handle.
@_cdecl("corgi_ols_solve")
public func corgi_ols_solve(
    _ ols: UnsafeMutableRawPointer?, _ coef: UnsafeMutablePointer<Double>?, _ stdErr: UnsafeMutablePointer<Double>?,
    _ tStats: UnsafeMutablePointer<Double>?, _ pValues: UnsafeMutablePointer<Double>?,
    _ varianceCovariance: UnsafeMutablePointer<Double>?, _ scalars: UnsafeMutablePointer<Double>?
) -> Int32 {
    guard let box = borrow(ols, as: LeastSquaresBox.self), let coef, let stdErr, let tStats, let pValues,
          let varianceCovariance, let scalars, let fit = box.equations.solve() else { return 0 }
    let k = box.equations.featureCount
    for i in 0..<k { coef[i] = fit.coef[i] }
    scalars[0] = fit.r2
    scalars[1] = fit.conditionNumber
    scalars[2] = Double(fit.rank)
    scalars[3] = 0
    scalars[4] = fit.residualSumOfSquares
    if let e = fit.stdErr, let t = fit.tStats, let p = fit.pValues, let v = fit.varianceCovariance {
        for i in 0..<k { stdErr[i] = e[i]; tStats[i] = t[i]; pValues[i] = p[i] }
        for i in 0..<(k * k) { varianceCovariance[i] = v[i] }
        scalars[3] = 1
    }
    return 1
}

/// C: `int32_t corgi_ols_breusch_pagan(void *ols, double *statistic, double *p_value)`:
/// for an accumulator fed with the squared residuals of a fit as targets, the
/// Breusch-Pagan statistic (Koenker's n R^2) and its chi-squared p-value (NaN for one
/// feature). Returns 1, or 0 without rows or for an invalid handle.
@_cdecl("corgi_ols_breusch_pagan")
public func corgi_ols_breusch_pagan(
    _ ols: UnsafeMutableRawPointer?, _ statistic: UnsafeMutablePointer<Double>?, _ pValue: UnsafeMutablePointer<Double>?
) -> Int32 {
    guard let box = borrow(ols, as: LeastSquaresBox.self), let statistic, let pValue,
          let fit = box.equations.solve() else { return 0 }
    let test = LinearRegressionFit.breuschPagan(residualFit: fit)
    statistic.pointee = test.statistic
    pValue.pointee = test.pValue ?? .nan
    return 1
}

/// C: `int64_t corgi_ols_planned_bytes(int32_t feature_count)`: the most one accumulator
/// of that width holds (checked against the memory cap before one is opened).
@_cdecl("corgi_ols_planned_bytes")
public func corgi_ols_planned_bytes(_ featureCount: Int32) -> Int64 {
    Int64(NormalEquations.plannedBytes(featureCount: Int(featureCount)))
}

/// C: `int32_t corgi_ols_decomposition_step(void *ols)`: advances the decomposition of
/// X^T X by a few milliseconds of work; 1 while more is needed (the glue checks for
/// interrupts between calls), 0 when done (or for an invalid handle).
@_cdecl("corgi_ols_decomposition_step")
public func corgi_ols_decomposition_step(_ ols: UnsafeMutableRawPointer?) -> Int32 {
    guard let box = borrow(ols, as: LeastSquaresBox.self) else { return 0 }
    return box.equations.decompositionStep() ? 1 : 0
}

// MARK: - Logistic regression by IRLS (corgi_exact_regression.c: corgi._logregr_irls)

final class LogisticBox {
    let solver: LogisticIRLS
    init(_ solver: LogisticIRLS) { self.solver = solver }
}

/// C: `int32_t corgi_irls_open(int32_t feature_count, void **irls_out, CorgiError *error)`.
@_cdecl("corgi_irls_open")
public func corgi_irls_open(
    _ featureCount: Int32, _ irlsOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let irlsOut else { return report(CORGI_INTERNAL, "corgi_irls_open: null argument", into: error) }
    irlsOut.pointee = nil
    guard let solver = LogisticIRLS(featureCount: Int(featureCount)) else {
        return report(featureCount > 0 ? CORGI_PROGRAM_LIMIT : CORGI_INVALID_ARGUMENT,
                      "the exact solver takes 1 to \(NormalEquations.maximumFeatures) features, the first row has \(featureCount)",
                      hint: "Train wider inputs with corgi.train(..., 'logistic') (SGD).", into: error)
    }
    irlsOut.pointee = retainedPointer(to: LogisticBox(solver))
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_irls_open_penalized(int32_t feature_count, double alpha, double lambda,
/// int32_t standardize, void **irls_out, CorgiError *error)`: the binomial elastic net
/// (``ElasticNetPenalty``; the last feature is the intercept's 1).
@_cdecl("corgi_irls_open_penalized")
public func corgi_irls_open_penalized(
    _ featureCount: Int32, _ alpha: Double, _ lambda: Double, _ standardize: Int32,
    _ irlsOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let irlsOut else { return report(CORGI_INTERNAL, "corgi_irls_open_penalized: null argument", into: error) }
    irlsOut.pointee = nil
    guard let penalty = ElasticNetPenalty(alpha: alpha, lambda: lambda, standardize: standardize != 0) else {
        return report(CORGI_INVALID_ARGUMENT,
                      "alpha must lie in [0, 1] and lambda be a finite number of at least 0, got \(NumberFormat.sql(alpha)) and \(NumberFormat.sql(lambda))",
                      into: error)
    }
    guard let solver = LogisticIRLS(featureCount: Int(featureCount), penalty: penalty) else {
        return report(featureCount > 1 ? CORGI_PROGRAM_LIMIT : CORGI_INVALID_ARGUMENT,
                      "the binomial elastic net takes 1 to \(NormalEquations.maximumFeatures - 1) features, the first row has \(Int(featureCount) - 1)",
                      hint: "Train wider inputs with corgi.train(..., 'logistic', params => 'l1=..., l2=...') (SGD).", into: error)
    }
    irlsOut.pointee = retainedPointer(to: LogisticBox(solver))
    return reportSuccess(into: error)
}

/// C: `int32_t corgi_irls_penalized_fit(void *irls, double *coef, double *scalars)`: the
/// coefficients (k, the intercept last) and scalars = {log_likelihood, objective, steps,
/// rows} of a penalized fit; 1, or 0 for a solver without a penalty or before a pass.
@_cdecl("corgi_irls_penalized_fit")
public func corgi_irls_penalized_fit(
    _ irls: UnsafeMutableRawPointer?, _ coef: UnsafeMutablePointer<Double>?, _ scalars: UnsafeMutablePointer<Double>?
) -> Int32 {
    guard let box = borrow(irls, as: LogisticBox.self), let coef, let scalars, box.solver.penalty != nil,
          box.solver.rows > 0 else { return 0 }
    for (i, c) in box.solver.coef.enumerated() { coef[i] = c }
    scalars[0] = box.solver.logLikelihood
    scalars[1] = box.solver.objective
    scalars[2] = Double(box.solver.steps)
    scalars[3] = Double(box.solver.rows)
    return 1
}

/// C: `int64_t corgi_irls_planned_bytes(int32_t feature_count)`.
@_cdecl("corgi_irls_planned_bytes")
public func corgi_irls_planned_bytes(_ featureCount: Int32) -> Int64 {
    Int64(LogisticIRLS.plannedBytes(featureCount: Int(featureCount)))
}

/// C: `void corgi_irls_begin_pass(void *irls)`.
@_cdecl("corgi_irls_begin_pass")
public func corgi_irls_begin_pass(_ irls: UnsafeMutableRawPointer?) {
    borrow(irls, as: LogisticBox.self)?.solver.beginPass()
}

/// C: `int32_t corgi_irls_add(void *irls, const double *features, int32_t count, int32_t positive)`:
/// 1 when added, 0 when refused (wrong length, a value not finite, no handle).
/// Called once per row: borrows without a dynamic cast or a retain (the glue passes only
/// what corgi_irls_open or corgi_irls_open_penalized made; in a profile of IRLS passes the
/// checked borrow's retain and release were 8% of the samples).
@_cdecl("corgi_irls_add")
public func corgi_irls_add(_ irls: UnsafeMutableRawPointer?, _ features: UnsafePointer<Double>?, _ count: Int32, _ positive: Int32) -> Int32 {
    guard let irls, let features, count >= 0 else { return 0 }
    return Unmanaged<LogisticBox>.fromOpaque(irls)._withUnsafeGuaranteedRef {
        $0.solver.add(features: UnsafeBufferPointer(start: features, count: Int(count)), positive: positive != 0)
    } ? 1 : 0
}

/// C: `int32_t corgi_irls_decomposition_step(void *irls)`: 1 while more is needed.
@_cdecl("corgi_irls_decomposition_step")
public func corgi_irls_decomposition_step(_ irls: UnsafeMutableRawPointer?) -> Int32 {
    guard let box = borrow(irls, as: LogisticBox.self) else { return 0 }
    return box.solver.decompositionStep() ? 1 : 0
}

/// C: `int32_t corgi_irls_end_pass(void *irls, double tolerance, int32_t maximum_steps)`:
/// 0 another pass, 1 converged, 2 step limit, 3 failed (and for an invalid handle).
@_cdecl("corgi_irls_end_pass")
public func corgi_irls_end_pass(_ irls: UnsafeMutableRawPointer?, _ tolerance: Double, _ maximumSteps: Int32) -> Int32 {
    guard let box = borrow(irls, as: LogisticBox.self) else { return 3 }
    switch box.solver.endPass(tolerance: tolerance, maximumSteps: Int(maximumSteps)) {
    case .another: return 0
    case .converged: return 1
    case .stepLimit: return 2
    case .failed: return 3
    }
}

/// C: `int32_t corgi_irls_statistics(void *irls, double *coef, double *std_err, double *z_stats,
/// double *p_values, double *odds_ratios, double *variance_covariance, double *scalars)`:
/// k values each, k x k, and scalars = {log_likelihood, condition_no, steps, rows}.
/// 1, or 0 before a finished pass.
@_cdecl("corgi_irls_statistics")
public func corgi_irls_statistics(
    _ irls: UnsafeMutableRawPointer?, _ coef: UnsafeMutablePointer<Double>?, _ stdErr: UnsafeMutablePointer<Double>?,
    _ zStats: UnsafeMutablePointer<Double>?, _ pValues: UnsafeMutablePointer<Double>?,
    _ oddsRatios: UnsafeMutablePointer<Double>?, _ varianceCovariance: UnsafeMutablePointer<Double>?,
    _ scalars: UnsafeMutablePointer<Double>?
) -> Int32 {
    guard let box = borrow(irls, as: LogisticBox.self), let coef, let stdErr, let zStats, let pValues, let oddsRatios,
          let varianceCovariance, let scalars, let fit = box.solver.statistics() else { return 0 }
    let k = box.solver.featureCount
    for i in 0..<k {
        coef[i] = fit.coef[i]; stdErr[i] = fit.stdErr[i]; zStats[i] = fit.zStats[i]
        pValues[i] = fit.pValues[i]; oddsRatios[i] = fit.oddsRatios[i]
    }
    for i in 0..<(k * k) { varianceCovariance[i] = fit.varianceCovariance[i] }
    scalars[0] = fit.logLikelihood
    scalars[1] = fit.conditionNumber
    scalars[2] = Double(fit.steps)
    scalars[3] = Double(fit.rows)
    return 1
}

// MARK: - corgi.train with an exact solver

/// C: `int32_t corgi_state_set_exact(const void *data, int64_t length, const double *weights,
/// int32_t count, double intercept, int64_t rows, int64_t skipped, double loss_sum, int32_t passes,
/// void **blob_out, CorgiError *error)`: the state with its model set to an exact solution
/// (``TrainerSnapshot/settingExactSolution(weights:intercept:rows:skipped:lossSum:passes:)``).
@_cdecl("corgi_state_set_exact")
public func corgi_state_set_exact(
    _ data: UnsafeRawPointer?, _ length: Int64, _ weights: UnsafePointer<Double>?, _ count: Int32, _ intercept: Double,
    _ rows: Int64, _ skipped: Int64, _ lossSum: Double, _ passes: Int32,
    _ blobOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let blobOut else { return report(CORGI_INTERNAL, "corgi_state_set_exact: null argument", into: error) }
    blobOut.pointee = nil
    guard let s = decodeState(data, length, error) else { return reportedStatus(error) }
    guard let weights, count >= 0 else { return report(CORGI_INVALID_ARGUMENT, "no weights", into: error) }
    let values = (0..<Int(count)).map { weights[$0] }
    switch s.settingExactSolution(weights: values, intercept: intercept, rows: rows, skipped: skipped,
                                  lossSum: lossSum, passes: Int(passes)) {
    case .success(let next):
        blobOut.pointee = retainedPointer(to: encode(next))
        return reportSuccess(into: error)
    case .failure(let failure):
        return report(CORGI_INVALID_ARGUMENT, failure.message, into: error)
    }
}

/// C: `int32_t corgi_default_solver(const char *model, const char *params, int32_t feature_count)`:
/// 1 when corgi.train fits the model exactly by default (``DefaultSolver``), 0 for SGD.
@_cdecl("corgi_default_solver")
public func corgi_default_solver(_ model: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?, _ featureCount: Int32) -> Int32 {
    guard let model, let params else { return 0 }
    return DefaultSolver.solver(model: String(cString: model), params: String(cString: params),
                                featureCount: Int(featureCount)) == "exact" ? 1 : 0
}

/// C: `int32_t corgi_ols_elastic_net(void *ols, double alpha, double lambda, int32_t standardize,
/// int32_t maximum_iterations, double tolerance, double *weights, double *scalars)`: the
/// gaussian elastic net from the sums (``ElasticNetFit``; the last feature of the rows is
/// the constant 1): `weights` (k - 1 values) and `scalars` = {intercept, sweeps, objective}.
/// 1, or 0 for invalid settings, no rows or an invalid handle.
@_cdecl("corgi_ols_elastic_net")
public func corgi_ols_elastic_net(
    _ ols: UnsafeMutableRawPointer?, _ alpha: Double, _ lambda: Double, _ standardize: Int32, _ maximumIterations: Int32,
    _ tolerance: Double, _ weights: UnsafeMutablePointer<Double>?, _ scalars: UnsafeMutablePointer<Double>?
) -> Int32 {
    guard let box = borrow(ols, as: LeastSquaresBox.self), let weights, let scalars,
          let fit = ElasticNetFit(equations: box.equations, alpha: alpha, lambda: lambda, standardize: standardize != 0,
                                  maximumIterations: Int(maximumIterations), tolerance: tolerance) else { return 0 }
    for (j, w) in fit.weights.enumerated() { weights[j] = w }
    scalars[0] = fit.intercept
    scalars[1] = Double(fit.iterations)
    scalars[2] = fit.objective
    return 1
}
