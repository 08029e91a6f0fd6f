using Dnas.Search;
using Xunit;

namespace Dnas.Tests.Search;

public class RankCorrelationTests
{
    [Fact]
    public void KendallTauBMatchesHandComputedValues()
    {
        Assert.Equal(1.0, RankCorrelation.KendallTauB([1, 2, 3, 4], [10, 20, 30, 40]), 12);
        Assert.Equal(-1.0, RankCorrelation.KendallTauB([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // 5 points, one swapped neighbour pair: 9 concordant, 1 discordant of 10 -> 0.8.
        Assert.Equal(0.8, RankCorrelation.KendallTauB([1, 2, 3, 4, 5], [1, 2, 4, 3, 5]), 12);
        // A tie in x: 5 concordant, 0 discordant of 6 pairs, 1 tied in x -> 5 / sqrt(5 * 6).
        Assert.Equal(0.9128709291752769, RankCorrelation.KendallTauB([1, 2, 2, 3], [1, 3, 2, 4]), 12);
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([1, 1, 1], [1, 2, 3])));
        Assert.Throws<ArgumentException>(() => RankCorrelation.KendallTauB([1, 2], [1]));
    }
}
