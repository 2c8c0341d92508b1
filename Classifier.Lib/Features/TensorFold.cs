namespace Classifier.Features;

/// <summary>
/// A preprocessing model reduced to what it does to a tensor: output plane q is input plane <see cref="PlaneSource"/>[q]
/// plus <see cref="Offset"/> (NCHW). ResNetPreprocess.onnx is exactly that: it reorders RGB planes to BGR and
/// subtracts a mean image.
/// </summary>
internal sealed record TensorFold(int[] PlaneSource, float[] Offset)
{
    /// <summary>Applies the fold to a tensor laid out without it.</summary>
    internal float[] Apply(float[] tensor)
    {
        int planeSize = tensor.Length / 3;
        var output = new float[tensor.Length];
        for (int q = 0; q < 3; q++)
        {
            var source = tensor.AsSpan(PlaneSource[q] * planeSize, planeSize);
            var add = Offset.AsSpan(q * planeSize, planeSize);
            var destination = output.AsSpan(q * planeSize, planeSize);
            for (int i = 0; i < destination.Length; i++)
                destination[i] = source[i] + add[i];
        }
        return output;
    }

    /// <summary>
    /// Finds the fold of <paramref name="run"/> by probing: f(0) is the offset; a random plane fed alone shows where
    /// it lands; a random full tensor confirms f(x) = permute(x) + f(0). Null when the model is anything else.
    /// </summary>
    internal static TensorFold? Probe(Func<float[], float[]> run, int planeSize, float pixelScale)
    {
        int length = 3 * planeSize;
        var offset = run(new float[length]);
        if (offset.Length != length)
            return null;
        var random = new Random(20261127);
        float[] RandomPlanes(params int[] planes)
        {
            var tensor = new float[length];
            foreach (var p in planes)
                for (int i = 0; i < planeSize; i++)
                    tensor[p * planeSize + i] = random.Next(1, 256) * pixelScale;
            return tensor;
        }
        float tolerance = 1e-5f * (1f + offset.Max(Math.Abs) + 255f * Math.Abs(pixelScale));
        bool Matches(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
        {
            for (int i = 0; i < actual.Length; i++)
                if (Math.Abs(actual[i] - expected[i]) > tolerance)
                    return false;
            return true;
        }

        var planeSource = new int[] { -1, -1, -1 };
        var zeros = new float[planeSize];
        for (int p = 0; p < 3; p++)
        {
            var input = RandomPlanes(p);
            var output = run(input);
            var plane = input.AsSpan(p * planeSize, planeSize);
            int landed = -1;
            for (int q = 0; q < 3; q++)
            {
                var delta = new float[planeSize];
                for (int i = 0; i < planeSize; i++)
                    delta[i] = output[q * planeSize + i] - offset[q * planeSize + i];
                if (Matches(delta, plane) && landed < 0)
                    landed = q;
                else if (!Matches(delta, zeros))
                    return null;
            }
            if (landed < 0 || planeSource[landed] >= 0)
                return null;
            planeSource[landed] = p;
        }

        var fold = new TensorFold(planeSource, offset);
        var full = RandomPlanes(0, 1, 2);
        return Matches(run(full), fold.Apply(full)) ? fold : null;
    }
}
