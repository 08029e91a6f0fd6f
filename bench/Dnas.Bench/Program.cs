namespace Dnas.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: Dnas.Bench <benchmark> [options]");
        return 2;
    }
}
