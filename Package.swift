// swift-tools-version:6.0
//
// corgi: in-database machine learning for PostgreSQL.
//
// Targets, from the inside out:
// - CorgiCore: the pure numeric core (PRNG, shuffles, block layout, models, SGD,
//   serialization). No PostgreSQL, no Foundation; tested with `swift test`.
// - CorgiKernels: what Swift cannot spell: a prefetch, and the matrix product, which
//   goes to OpenBLAS's serial variant (no thread pool in a backend; see corgi_kernels.h).
// - CorgiABI: plain-C types shared by Swift and C (status codes, the error record).
// - CorgiBoundary: the @_cdecl exports C calls; they return status codes, never raise.
// - CorgiGlue: the C that owns every PostgreSQL call (fmgr, TABLESAMPLE, errors,
//   memory contexts, libpq to other servers). Built against the server and libpq
//   headers the Makefile passes with -Xcc.
//
// The product `corgi` is the server module. Build it with `make` (which adds
// -static-stdlib, the server include path and the export map), not with a bare
// `swift build`.
import PackageDescription

/// The server library must not pull in Swift Concurrency (and with it Dispatch) or
/// the regex runtime, which Swift 6 imports implicitly.
/// Dynamic exclusivity checks are off (`-enforce-exclusivity=unchecked`): a violation they
/// catch would trap, and a trap in a backend restarts every session; the code is written
/// so the static checks hold, and the checks cost 5 % of an exact solver's pass
/// (swift_beginAccess on every row's update of a class's arrays).
let serverSwiftSettings: [SwiftSetting] = [
    .unsafeFlags([
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
        "-enforce-exclusivity=unchecked",
    ])
]

/// OpenBLAS, serial variant (Debian's libopenblas-serial-dev): its own directory, found
/// at run time through an rpath, so the pthread variant (the system default) is never
/// what a backend loads.
let openBLASInclude = "/usr/include/x86_64-linux-gnu/openblas-serial"
let openBLASLibrary = "/usr/lib/x86_64-linux-gnu/openblas-serial"

let package = Package(
    name: "corgi",
    products: [
        .library(name: "corgi", type: .dynamic, targets: ["CorgiGlue", "CorgiBoundary"])
    ],
    targets: [
        .target(
            name: "CorgiKernels",
            // No fused multiply-add (the AVX2 and baseline versions of a loop give the same
            // bits) and no errno from sqrt (so that it vectorizes).
            cSettings: [.unsafeFlags(["-I\(openBLASInclude)", "-ffp-contract=off", "-fno-math-errno"])],
            linkerSettings: [
                .unsafeFlags(["-L\(openBLASLibrary)", "-Xlinker", "-rpath", "-Xlinker", openBLASLibrary]),
                .linkedLibrary("openblas"),
            ]),
        .target(name: "CorgiCore", dependencies: ["CorgiKernels"], swiftSettings: serverSwiftSettings),
        .target(name: "CorgiABI"),
        .target(
            name: "CorgiBoundary",
            dependencies: ["CorgiCore", "CorgiABI"],
            swiftSettings: serverSwiftSettings),
        .target(
            name: "CorgiGlue",
            dependencies: ["CorgiABI"],
            publicHeadersPath: ".",
            cSettings: [
                // What PostgreSQL's own build uses; gnu_printf (PG's format
                // attribute) is gcc's spelling, which clang ignores with a warning.
                .unsafeFlags(["-fwrapv", "-fno-strict-aliasing", "-Wno-ignored-attributes"])
            ],
            // libpq: partition hopping sends jobs to the servers of foreign partitions
            // (as postgres_fdw and dblink do; it starts no thread).
            linkerSettings: [.linkedLibrary("pq")]),
        .testTarget(name: "CorgiCoreTests", dependencies: ["CorgiCore"]),
        // The training step alone, for the benchmarks (not part of the server library).
        .executableTarget(name: "corgi-bench", dependencies: ["CorgiCore"]),
    ]
)
