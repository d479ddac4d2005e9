import CLOTCore

extension Optimized {
    /// y = x Wᵀ + b (torch `nn.Linear` layout, W out × in) in Float32 on sgemm; the same API as
    /// `Reference.Linear`. Batch convention: a batch is one (B·N) × in matrix.
    ///
    /// Goals, in order: 1. agree with `Reference.Linear` within Float32 rounding; 2. one sgemm
    /// per product, transposes expressed as sgemm flags (never materialised); 3. speed.
    public enum Linear: LinearLayer {
        /// W (out × in) and b (out). Gradients have the same shape.
        public typealias Parameters = ModelParameters<Float>.Dense

        /// y = x Wᵀ + b: rows filled with b, then one sgemm (x · Wᵀ, β = 1).
        /// - Parameters: x: R × in. - Returns: R × out.
        public static func forward(_ x: Matrix<Float>, parameters: Parameters) -> Matrix<Float> {
            let w = parameters.weight
            precondition(x.columns == w.columns, "input has \(x.columns) features, layer expects \(w.columns)")
            var y = Matrix<Float>.uninitialized(x.rows, w.rows)
            x.elements.withUnsafeBufferPointer { xp in
                w.elements.withUnsafeBufferPointer { wp in
                    parameters.bias.withUnsafeBufferPointer { bp in
                        y.elements.withUnsafeMutableBufferPointer { yp in
                            affine(xp, rows: x.rows, inputs: w.columns, weight: wp, bias: bp, outputs: w.rows, into: yp)
                        }
                    }
                }
            }
            return y
        }

        /// ∂L/∂x = ∂L/∂y · W, ∂L/∂W = (∂L/∂y)ᵀ x, ∂L/∂b = Σ_rows ∂L/∂y: two sgemms and a column sum.
        public static func backward(_ x: Matrix<Float>, parameters: Parameters,
                                    outputGradient dy: Matrix<Float>) -> (input: Matrix<Float>, parameters: Parameters) {
            let w = parameters.weight
            precondition(x.columns == w.columns && dy.columns == w.rows && dy.rows == x.rows, "shapes differ")
            var dx = Matrix<Float>.uninitialized(x.rows, w.columns)
            var dw = Matrix<Float>.uninitialized(w.rows, w.columns)
            var db: [Float] = []
            x.elements.withUnsafeBufferPointer { xp in
                w.elements.withUnsafeBufferPointer { wp in
                    dy.elements.withUnsafeBufferPointer { gp in
                        dx.elements.withUnsafeMutableBufferPointer { dxp in
                            dw.elements.withUnsafeMutableBufferPointer { dwp in
                                db = affineBackward(xp, rows: x.rows, inputs: w.columns, weight: wp, outputs: w.rows,
                                                    outputGradient: gp, input: dxp, weight: dwp, accumulate: false)
                            }
                        }
                    }
                }
            }
            return (dx, Parameters(weight: dw, bias: db))
        }

        /// ∂L/∂W = (∂L/∂y)ᵀ x (one sgemm) and ∂L/∂b = Σ_rows ∂L/∂y, without ∂L/∂x (an input that
        /// needs no gradient: the encoder's raw features, whose ∂X would be the widest product).
        /// - Postconditions: the same bits as `backward`'s parameter gradients.
        public static func parameterGradients(_ x: Matrix<Float>, parameters: Parameters, outputGradient dy: Matrix<Float>) -> Parameters {
            let outputs = parameters.weight.rows, inputs = parameters.weight.columns
            precondition(x.columns == inputs && dy.columns == outputs && dy.rows == x.rows, "shapes differ")
            var dw = Matrix<Float>.uninitialized(outputs, inputs)
            var db: [Float] = []
            x.elements.withUnsafeBufferPointer { xp in
                dy.elements.withUnsafeBufferPointer { gp in
                    dw.elements.withUnsafeMutableBufferPointer { dwp in
                        gemm(transposeA: true, m: outputs, n: inputs, k: x.rows, gp, lda: outputs, xp, ldb: inputs, dwp, ldc: inputs)
                    }
                    db = columnSums(gp, rows: dy.rows, columns: outputs)
                }
            }
            return Parameters(weight: dw, bias: db)
        }

        /// y (R × out, leading dimension out) = x (R × in) · Wᵀ + b, W given as `outputs` rows of
        /// width `inputs` (a sub-block of a packed weight is passed by offset).
        static func affine(_ x: UnsafeBufferPointer<Float>, rows: Int, inputs: Int, weight: UnsafeBufferPointer<Float>,
                           bias: UnsafeBufferPointer<Float>, outputs: Int, into y: UnsafeMutableBufferPointer<Float>) {
            fillRows(y, with: bias, rows: rows, columns: outputs)
            gemm(transposeB: true, m: rows, n: outputs, k: inputs, x, lda: inputs, weight, ldb: inputs,
                 beta: 1, y, ldc: outputs)
        }

        /// The backward of `affine`: writes ∂x = ∂y W into `input`, ∂W = ∂yᵀ x into `weight`
        /// (added to it when `accumulate`), and returns ∂b.
        static func affineBackward(_ x: UnsafeBufferPointer<Float>, rows: Int, inputs: Int, weight: UnsafeBufferPointer<Float>,
                                   outputs: Int, outputGradient dy: UnsafeBufferPointer<Float>,
                                   input dx: UnsafeMutableBufferPointer<Float>, weight dw: UnsafeMutableBufferPointer<Float>,
                                   accumulate: Bool) -> [Float] {
            gemm(m: rows, n: inputs, k: outputs, dy, lda: outputs, weight, ldb: inputs, dx, ldc: inputs)
            gemm(transposeA: true, m: outputs, n: inputs, k: rows, dy, lda: outputs, x, ldb: inputs,
                 beta: accumulate ? 1 : 0, dw, ldc: inputs)
            return columnSums(dy, rows: rows, columns: outputs)
        }
    }
}
