/// The specification in code: every equation of ASOT and CLOT written plainly, in Double,
/// one function per equation, its doc comment naming the paper's equation (Documentation/Method.md).
///
/// Plain loops, no BLAS, no clever generics: it is meant to be read beside the paper, and the
/// `Optimized` module is tested against it.
public enum Reference {}

import RealModule

// Elementary functions from swift-numerics, under the names the equations use.
@inline(__always) func log(_ x: Double) -> Double { .log(x) }
@inline(__always) func exp(_ x: Double) -> Double { .exp(x) }
@inline(__always) func pow(_ x: Double, _ y: Double) -> Double { .pow(x, y) }
