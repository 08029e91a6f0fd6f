using Dnas.Engine;

namespace Dnas.Data.Synthetic;

internal enum Setting : byte { Indoor, Outdoor, Plain }

/// <summary>Everything one image is drawn from, decided before any pixel is touched.</summary>
internal struct SceneSpec
{
    public Setting Setting;
    public BackdropSpec Backdrop;
    public CameraSpec Camera;
    public Light Light;
    public int ItemCount, FigureCount;
}

/// <summary>Lays out a scene from a random stream: backdrop, light, camera, scenery, and the
/// people (or, in a no-person image, the same number of empty slots, some filled with a
/// person-sized object). Sizes follow a simple ground-plane perspective: an object of real
/// height h (in person heights) standing at y appears (y - horizon)·h / camera height tall.
/// Positions are fractions of width and height, sizes fractions of min(width, height), so only
/// the aspect ratio of the image matters here.</summary>
internal static class SceneBuilder
{
    public const int MaxItems = 40;
    public const int MaxFigures = 3;

    private ref struct Ctx
    {
        public Rng Rng;
        public Setting Setting;
        public float Sh, Sw;      // min side over height and over width
        public float Junction;    // where the floor meets the wall or sky (fraction of height)
        public float Vanish;      // perspective horizon (fraction of height)
        public float CamH;        // camera height in person heights
        public Span<Item> Items;
        public int Count;
    }

    public static void Build(Rng rng, float aspect, bool person, ref SceneSpec scene, Span<Item> items, Span<FigureSpec> figures)
    {
        var cx = new Ctx
        {
            Rng = rng,
            Sh = MathF.Min(aspect, 1f),
            Sw = MathF.Min(1f, 1f / aspect),
            Items = items,
        };
        int roll = rng.NextInt(100);
        cx.Setting = roll < 42 ? Setting.Indoor : roll < 84 ? Setting.Outdoor : Setting.Plain;
        scene.Setting = cx.Setting;
        cx.CamH = rng.Range(0.45f, 1.05f);
        BuildBackdrop(ref cx, ref scene.Backdrop);

        float angle = rng.Radians(-70, 70), k = rng.Range(0.35f, 0.8f);
        scene.Light = new Light(MathF.Sin(angle) * k, -MathF.Cos(angle) * k, MathF.Sqrt(1f - k * k));

        // Scenery on the wall or at the horizon.
        if (cx.Setting == Setting.Indoor)
        {
            int n = rng.NextInt(4);
            for (int i = 0; i < n; i++) AddWallItem(ref cx);
        }
        else if (cx.Setting == Setting.Outdoor && rng.Chance(0.4f))
        {
            int n = 1 + rng.NextInt(5);
            for (int i = 0; i < n; i++) AddBuilding(ref cx);
        }

        // Ground clutter, the same distribution in both classes.
        int clutter = 1 + rng.NextInt(6);
        int firstClutter = cx.Count;
        for (int i = 0; i < clutter; i++) AddClutter(ref cx, rng.Range(0f, 1f), rng.Range(-0.1f, 1.1f));
        int endClutter = cx.Count;

        // People, or as many empty slots.
        int slots = rng.NextInt(100) switch { < 80 => 1, < 95 => 2, _ => 3 };
        Span<float> slotX = stackalloc float[MaxFigures], slotFoot = stackalloc float[MaxFigures], slotH = stackalloc float[MaxFigures];
        for (int s = 0; s < slots; s++)
        {
            // Standing height (fraction of min side), log-uniform from far to near.
            float hp = rng.LogRange(0.24f, 1.8f);
            float hpH = hp * cx.Sh;
            float foot = cx.Vanish + cx.CamH * hpH * rng.Range(0.9f, 1.1f);
            // Keep the head in the frame (a little cropping allowed) and enough of the body visible.
            float headTopMin = -0.03f * hpH, headTopMax = Math.Clamp(1f - 0.55f * hpH, 0.1f, 0.8f);
            foot = Math.Clamp(foot, hpH + headTopMin, hpH + headTopMax);
            // Mostly well inside the frame; now and then at a border, partly cropped.
            float edge = rng.Range(0.5f, 1.5f) * 0.15f * hp * cx.Sw;
            float x = rng.Chance(0.15f)
                ? (rng.Chance(0.5f) ? edge : 1f - edge)
                : rng.Range(0.08f, 0.92f);
            slotX[s] = x; slotFoot[s] = foot; slotH[s] = hp;

            if (person)
            {
                ref var f = ref figures[s];
                f = default;
                f.X = x; f.FootY = foot; f.Height = hp;
                Figure.Generate(rng, ref f);
                ref var it = ref Add(ref cx);
                it.Kind = ItemKind.Person;
                it.X = x; it.Y = foot; it.W = 0.3f * hp; it.H = hp;
                it.Figure = s;
            }
            else if (rng.Chance(0.5f))
            {
                // A person-sized object where a person could have stood.
                AddClutter(ref cx, 0f, x, foot);
            }
            // An object in front of the slot hiding the lower part.
            if (rng.Chance(0.3f)) AddOccluder(ref cx, x, foot, hp);
        }
        scene.FigureCount = person ? slots : 0;

        // Random clutter must not hide a slot's head and shoulders: move it aside or drop it.
        Span<bool> drop = stackalloc bool[cx.Count];
        for (int i = firstClutter; i < endClutter; i++)
        {
            ref var it = ref items[i];
            for (int s = 0; s < slots; s++)
            {
                if (it.Y <= slotFoot[s] || !HidesHead(in it, in cx, slotX[s], slotFoot[s], slotH[s])) continue;
                Extent(in it, out float left, out float right, out _);
                float gap = 0.2f * slotH[s] * cx.Sw + 0.02f;
                it.X = it.X < slotX[s] ? slotX[s] - gap - right * cx.Sw : slotX[s] + gap + left * cx.Sw;
            }
            for (int s = 0; s < slots; s++)
                if (it.Y > slotFoot[s] && HidesHead(in it, in cx, slotX[s], slotFoot[s], slotH[s])) drop[i] = true;
        }
        int kept = 0;
        for (int i = 0; i < cx.Count; i++)
            if (!drop[i]) items[kept++] = items[i];
        cx.Count = kept;

        // Depth order: background layer first, then by ground contact (stable).
        for (int i = 1; i < kept; i++)
        {
            var t = items[i];
            int j = i - 1;
            while (j >= 0 && Before(in t, in items[j])) { items[j + 1] = items[j]; j--; }
            items[j + 1] = t;
        }
        scene.ItemCount = kept;

        BuildCamera(rng, ref scene.Camera);
    }

    private static bool Before(in Item a, in Item b)
    {
        if (a.Background != b.Background) return a.Background;
        return a.Y < b.Y;
    }

    /// <summary>Whether an item's drawn extent overlaps the upper half of a slot's figure.</summary>
    private static bool HidesHead(in Item it, in Ctx cx, float x, float foot, float hp)
    {
        float hpH = hp * cx.Sh, halfW = 0.2f * hp * cx.Sw;
        Extent(in it, out float left, out float right, out float up);
        float l = it.X - left * cx.Sw, r = it.X + right * cx.Sw, top = it.Y - up * cx.Sh;
        return r > x - halfW && l < x + halfW && top < foot - 0.5f * hpH;
    }

    /// <summary>How far an item's drawing reaches left, right and up from its ground contact
    /// point, in fractions of min side (boxes show a side and a top face, canopies and leaves
    /// spread past the nominal width, lamps and signs hang off poles).</summary>
    private static void Extent(in Item it, out float left, out float right, out float up)
    {
        float half = 0.5f * it.W;
        left = right = half;
        up = it.H;
        switch (it.Kind)
        {
            case ItemKind.Box:
            case ItemKind.Cabinet:
                float depth = it.P0 * it.W, dx = it.P1 * depth;
                if (dx > 0f) right += dx; else left -= dx;
                up += depth;
                break;
            case ItemKind.Tree:
                left = right = 0.65f * it.W;
                up = it.H + 0.35f * it.W;
                break;
            case ItemKind.Plant:
                left = right = 0.75f * it.W;
                up = it.H + 0.2f * it.W;
                break;
            case ItemKind.Pole:
                if (it.P0 > 0.55f) { if (it.Flip > 0) right = 6f * it.W; else left = 6f * it.W; }
                else if (it.P0 > 0.25f) left = right = 4f * it.W;
                break;
            case ItemKind.Dog:
                left = right = 0.65f * it.W;
                break;
            case ItemKind.Table:
                up = it.H * 1.4f;
                break;
        }
    }

    private static ref Item Add(ref Ctx cx)
    {
        if (cx.Count >= cx.Items.Length) throw new InvalidOperationException("synthetic scene has too many items");
        ref var it = ref cx.Items[cx.Count++];
        it = default;
        it.Flip = cx.Rng.Sign();
        it.Detail = cx.Rng.NextUInt64();
        it.P0 = cx.Rng.Range(0f, 1f);
        it.P1 = cx.Rng.Range(0f, 1f);
        return ref it;
    }

    /// <summary>Apparent height (fraction of height) of something <paramref name="real"/> person-heights tall standing at y.</summary>
    private static float Apparent(in Ctx cx, float y, float real) => MathF.Max(y - cx.Vanish, 0.01f) / cx.CamH * real;

    private static Colour AnyColour(Rng rng) => Colour.Hsv(rng.Range(0f, 1f), rng.Range(0.05f, 0.8f), rng.Range(0.2f, 0.92f));

    private static Colour Muted(Rng rng, float vLo = 0.35f, float vHi = 0.9f) => Colour.Hsv(rng.Range(0f, 1f), rng.Range(0f, 0.35f), rng.Range(vLo, vHi));

    private static void BuildBackdrop(ref Ctx cx, ref BackdropSpec b)
    {
        var rng = cx.Rng;
        b.NoiseSeed = rng.NextUInt64();
        b.NoiseFrequency = rng.LogRange(1.5f, 9f);
        float tint = rng.Range(0f, 0.3f);
        b.NoiseTint = new Colour(1f + rng.Range(-tint, tint), 1f + rng.Range(-tint, tint), 1f + rng.Range(-tint, tint));
        b.Tilt = rng.Chance(0.3f) ? rng.Range(-0.12f, 0.12f) : 0f;
        switch (cx.Setting)
        {
            case Setting.Indoor:
            {
                cx.Junction = rng.Range(0.3f, 0.75f);
                cx.Vanish = cx.Junction - rng.Range(0.08f, 0.35f);
                b.Horizon = cx.Junction;
                var wall = Muted(rng, 0.4f, 0.95f);
                b.Upper0 = wall.Scale(rng.Range(0.9f, 1.15f));
                b.Upper1 = wall.Scale(rng.Range(0.75f, 1.05f));
                b.UpperAngle = rng.Chance(0.6f) ? MathF.PI / 2 : rng.Chance(0.5f) ? 0f : MathF.PI;
                b.UpperNoise = rng.Range(1f, 10f);
                if (rng.Chance(0.3f)) { b.StripePeriod = rng.Range(0.04f, 0.25f); b.StripeAmplitude = rng.Range(3f, 12f); }
                Colour floor = rng.NextInt(3) switch
                {
                    0 => Colour.Hsv(rng.Range(0.05f, 0.1f), rng.Range(0.35f, 0.65f), rng.Range(0.3f, 0.65f)), // wood
                    1 => Muted(rng, 0.3f, 0.85f),                                                             // tiles, concrete
                    _ => AnyColour(rng),                                                                      // carpet
                };
                b.Lower0 = floor.Scale(rng.Range(0.8f, 1.0f));
                b.Lower1 = floor.Scale(rng.Range(0.95f, 1.2f));
                b.LowerAngle = MathF.PI / 2 + rng.Radians(-30, 30);
                b.LowerNoise = rng.Range(2f, 16f);
                if (rng.Chance(0.55f))
                {
                    b.FloorSpacing = rng.Range(0.3f, 1.2f);
                    b.FloorAmplitude = rng.Range(8f, 30f);
                    b.Tiles = rng.Chance(0.4f);
                    b.VanishingX = rng.Range(0.2f, 0.8f);
                }
                break;
            }
            case Setting.Outdoor:
            {
                cx.Junction = rng.Range(0.22f, 0.62f);
                cx.Vanish = cx.Junction;
                b.Horizon = cx.Junction;
                int sky = rng.NextInt(10);
                if (sky < 6)
                {
                    float hue = rng.Range(0.54f, 0.63f);
                    b.Upper0 = Colour.Hsv(hue, rng.Range(0.35f, 0.75f), rng.Range(0.6f, 0.9f));
                    b.Upper1 = Colour.Hsv(hue, rng.Range(0.05f, 0.3f), rng.Range(0.8f, 0.98f));
                }
                else if (sky < 9)
                {
                    var grey = rng.Range(0.55f, 0.9f);
                    b.Upper0 = Colour.Hsv(rng.Range(0.5f, 0.65f), rng.Range(0f, 0.12f), grey);
                    b.Upper1 = Colour.Hsv(rng.Range(0.5f, 0.65f), rng.Range(0f, 0.08f), MathF.Min(grey + 0.08f, 1f));
                }
                else
                {
                    b.Upper0 = Colour.Hsv(rng.Range(0.6f, 0.75f), rng.Range(0.3f, 0.6f), rng.Range(0.35f, 0.6f));
                    b.Upper1 = Colour.Hsv(rng.Range(0.03f, 0.1f), rng.Range(0.5f, 0.8f), rng.Range(0.8f, 0.98f));
                }
                b.UpperAngle = MathF.PI / 2 + rng.Radians(-20, 20);
                b.UpperNoise = rng.Range(0f, 12f);
                Colour ground = rng.NextInt(4) switch
                {
                    0 => Colour.Hsv(rng.Range(0.18f, 0.33f), rng.Range(0.35f, 0.7f), rng.Range(0.3f, 0.6f)), // grass
                    1 => Colour.Hsv(rng.Range(0.55f, 0.65f), rng.Range(0f, 0.1f), rng.Range(0.25f, 0.55f)), // asphalt
                    2 => Colour.Hsv(rng.Range(0.06f, 0.12f), rng.Range(0.25f, 0.5f), rng.Range(0.4f, 0.75f)), // dirt, sand
                    _ => Muted(rng, 0.45f, 0.8f),                                                               // paving
                };
                b.Lower0 = ground.Scale(rng.Range(0.8f, 1f));
                b.Lower1 = ground.Scale(rng.Range(0.95f, 1.2f));
                b.LowerAngle = MathF.PI / 2 + rng.Radians(-30, 30);
                b.LowerNoise = rng.Range(4f, 22f);
                if (rng.Chance(0.2f))
                {
                    b.FloorSpacing = rng.Range(0.3f, 1.0f);
                    b.FloorAmplitude = rng.Range(6f, 20f);
                    b.Tiles = rng.Chance(0.5f);
                    b.VanishingX = rng.Range(0.2f, 0.8f);
                }
                if (rng.Chance(0.5f))
                {
                    b.HillHeight = rng.Range(0.03f, 0.2f);
                    b.HillFrequency = rng.Range(1f, 4f);
                    b.Hill = b.Upper1.Lerp(ground, rng.Range(0.3f, 0.8f)).Scale(rng.Range(0.75f, 0.95f));
                }
                break;
            }
            default:
            {
                // A close wall or surface filling the frame; perspective from a horizon above it.
                cx.Junction = 2f;
                cx.Vanish = rng.Range(-0.4f, 0.2f);
                b.Horizon = 2f;
                var c0 = AnyColour(rng);
                b.Upper0 = c0;
                b.Upper1 = rng.Chance(0.5f) ? AnyColour(rng) : c0.Scale(rng.Range(0.6f, 1.3f));
                b.UpperAngle = rng.Range(0f, 2f * MathF.PI);
                b.UpperNoise = rng.Range(4f, 28f);
                b.Lower0 = b.Lower1 = c0;
                if (rng.Chance(0.3f)) { b.StripePeriod = rng.Range(0.03f, 0.3f); b.StripeAmplitude = rng.Range(4f, 16f); }
                break;
            }
        }
    }

    private static void AddWallItem(ref Ctx cx)
    {
        var rng = cx.Rng;
        float scale = Apparent(in cx, cx.Junction, 1f); // a person's height at the wall, fraction of height
        float x = rng.Range(0f, 1f);
        ref var it = ref Add(ref cx);
        it.X = x;
        int kind = rng.NextInt(3);
        if (kind == 0)
        {
            it.Kind = ItemKind.Window;
            float h = scale * rng.Range(0.4f, 0.75f);
            it.Y = cx.Junction - scale * rng.Range(0.35f, 0.6f);
            it.H = h / cx.Sh;
            it.W = scale * rng.Range(0.35f, 0.9f) / cx.Sh;
            it.C0 = Colour.Hsv(rng.Range(0.52f, 0.62f), rng.Range(0.05f, 0.5f), rng.Range(0.7f, 1f));
            it.C1 = Muted(rng, 0.5f, 0.98f);
            it.C2 = AnyColour(rng);
        }
        else if (kind == 1)
        {
            it.Kind = ItemKind.Door;
            it.Y = cx.Junction + 0.003f;
            it.H = scale * rng.Range(1.1f, 1.25f) / cx.Sh;
            it.W = it.H * rng.Range(0.4f, 0.5f);
            it.C0 = rng.Chance(0.5f) ? Colour.Hsv(rng.Range(0.05f, 0.1f), rng.Range(0.3f, 0.6f), rng.Range(0.25f, 0.6f)) : Muted(rng);
            it.C1 = Muted(rng, 0.5f, 0.95f);
            it.C2 = new Colour(190, 180, 140);
        }
        else
        {
            it.Kind = ItemKind.Frame;
            float h = scale * rng.Range(0.15f, 0.45f);
            it.Y = cx.Junction - scale * rng.Range(0.5f, 0.8f) + h;
            it.H = h / cx.Sh;
            it.W = h * rng.Range(0.6f, 1.6f) / cx.Sh;
            it.C0 = AnyColour(rng);
            it.C1 = Muted(rng, 0.1f, 0.9f);
            it.C2 = AnyColour(rng);
        }
    }

    private static void AddBuilding(ref Ctx cx)
    {
        var rng = cx.Rng;
        float x = rng.Range(-0.1f, 1.1f);
        ref var it = ref Add(ref cx);
        it.Kind = ItemKind.Building;
        it.X = x;
        it.Y = cx.Junction + 0.004f;
        it.H = rng.Range(0.08f, 0.5f);
        it.W = rng.Range(0.1f, 0.4f);
        it.C0 = Muted(rng, 0.3f, 0.85f);
        it.C1 = rng.Chance(0.5f) ? Colour.Hsv(rng.Range(0.5f, 0.65f), rng.Range(0.1f, 0.4f), rng.Range(0.2f, 0.5f)) : Muted(rng, 0.6f, 0.95f);
        it.C2 = Colour.Hsv(rng.Range(0f, 0.08f), rng.Range(0.3f, 0.6f), rng.Range(0.3f, 0.6f));
    }

    /// <summary>Adds one ground object at depth fraction <paramref name="depth"/> between the floor's
    /// far edge and just below the image, or at ground contact <paramref name="atY"/> when given.</summary>
    private static void AddClutter(ref Ctx cx, float depth, float x, float atY = float.NaN)
    {
        var rng = cx.Rng;
        float far = MathF.Max(cx.Junction, cx.Vanish + 0.04f);
        if (cx.Setting == Setting.Plain) far = MathF.Max(cx.Vanish + 0.1f, 0.25f);
        if (far > 1.05f) far = 1.05f;
        float y = float.IsNaN(atY) ? far + 0.01f + (1.25f - far) * depth * depth : atY;
        bool personSized = !float.IsNaN(atY);

        ItemKind kind;
        int r = rng.NextInt(100);
        if (personSized)
            kind = r switch { < 25 => ItemKind.Pole, < 40 => ItemKind.Plant, < 55 => ItemKind.Cabinet, < 70 => ItemKind.Dog, < 85 => ItemKind.Chair, _ => ItemKind.Tree };
        else if (cx.Setting == Setting.Indoor)
            kind = r switch { < 18 => ItemKind.Box, < 30 => ItemKind.Cabinet, < 36 => ItemKind.Pole, < 42 => ItemKind.Ball, < 60 => ItemKind.Plant, < 78 => ItemKind.Chair, < 92 => ItemKind.Table, _ => ItemKind.Dog };
        else if (cx.Setting == Setting.Outdoor)
            kind = r switch { < 8 => ItemKind.Box, < 24 => ItemKind.Pole, < 28 => ItemKind.Ball, < 40 => ItemKind.Rock, < 46 => ItemKind.Plant, < 64 => ItemKind.Tree, < 84 => ItemKind.Vehicle, < 92 => ItemKind.Dog, _ => ItemKind.Chair };
        else
            kind = (ItemKind)rng.NextInt((int)ItemKind.Cabinet + 1);

        ref var it = ref Add(ref cx);
        it.Kind = kind;
        it.X = x;
        it.Y = y;
        float unit = Apparent(in cx, y, 1f) / cx.Sh; // a person's height here, fraction of min side
        unit = MathF.Min(unit, 2.5f);
        float h, w;
        switch (kind)
        {
            case ItemKind.Box: h = rng.Range(0.12f, 0.6f); w = rng.Range(0.2f, 0.8f); it.P0 = rng.Range(0.05f, 0.5f); it.P1 = Math.Clamp((0.5f - x) * 2.5f, -1f, 1f); break;
            case ItemKind.Cabinet: h = rng.Range(0.45f, 1.1f); w = rng.Range(0.3f, 0.7f); it.P0 = rng.Range(0.05f, 0.35f); it.P1 = Math.Clamp((0.5f - x) * 2.5f, -1f, 1f); break;
            case ItemKind.Pole: h = rng.Range(1.2f, 2.6f); w = rng.Range(0.025f, 0.06f); break;
            case ItemKind.Ball: w = h = rng.Range(0.08f, 0.3f); break;
            case ItemKind.Rock: w = rng.Range(0.15f, 0.8f); h = w * rng.Range(0.4f, 0.8f); break;
            case ItemKind.Plant: h = rng.Range(0.25f, 1.0f); w = h * rng.Range(0.45f, 0.75f); break;
            case ItemKind.Tree: h = rng.Range(1.5f, 4f); w = h * rng.Range(0.45f, 0.8f); break;
            case ItemKind.Vehicle: h = rng.Range(0.8f, 1.15f); w = rng.Range(2.2f, 3f); break;
            case ItemKind.Chair: h = rng.Range(0.5f, 0.62f); w = rng.Range(0.25f, 0.35f); break;
            case ItemKind.Table: h = rng.Range(0.4f, 0.5f); w = rng.Range(0.6f, 1.2f); break;
            default: h = rng.Range(0.28f, 0.5f); w = h * rng.Range(1.3f, 1.7f); break; // dog
        }
        it.H = h * unit;
        it.W = w * unit;
        it.C0 = kind switch
        {
            ItemKind.Plant => Colour.Hsv(rng.Range(0.2f, 0.42f), rng.Range(0.35f, 0.8f), rng.Range(0.25f, 0.6f)),
            ItemKind.Tree => rng.Chance(0.8f) ? Colour.Hsv(rng.Range(0.2f, 0.4f), rng.Range(0.35f, 0.75f), rng.Range(0.2f, 0.55f))
                                               : Colour.Hsv(rng.Range(0.02f, 0.14f), rng.Range(0.5f, 0.85f), rng.Range(0.4f, 0.8f)),
            ItemKind.Rock => Colour.Hsv(rng.Range(0.05f, 0.15f), rng.Range(0f, 0.3f), rng.Range(0.3f, 0.7f)),
            ItemKind.Pole => Muted(rng, 0.15f, 0.7f),
            ItemKind.Dog => rng.NextInt(4) switch
            {
                0 => new Colour(40, 32, 28),
                1 => new Colour(230, 225, 215),
                2 => Colour.Hsv(rng.Range(0.06f, 0.11f), rng.Range(0.4f, 0.7f), rng.Range(0.35f, 0.8f)),
                _ => Colour.Hsv(0.09f, 0.3f, rng.Range(0.5f, 0.8f)),
            },
            // Now and then a skin-coloured object, so colour alone does not mean "person".
            _ => rng.Chance(0.1f) ? Figure.SkinTone(rng) : AnyColour(rng),
        };
        it.C1 = kind switch
        {
            ItemKind.Tree => Colour.Hsv(rng.Range(0.05f, 0.1f), rng.Range(0.3f, 0.6f), rng.Range(0.15f, 0.4f)),
            ItemKind.Vehicle => Colour.Hsv(rng.Range(0.55f, 0.65f), rng.Range(0.1f, 0.4f), rng.Range(0.1f, 0.35f)),
            ItemKind.Pole => rng.Chance(0.5f) ? new Colour(250, 240, 200) : AnyColour(rng),
            ItemKind.Dog => Colour.Hsv(0.08f, 0.4f, 0.25f),
            _ => rng.Chance(0.15f) ? Figure.SkinTone(rng) : AnyColour(rng),
        };
        it.C2 = kind == ItemKind.Vehicle ? Muted(rng, 0.5f, 0.85f) : AnyColour(rng);
    }

    /// <summary>An object just in front of a person slot that hides part of its lower body (or a
    /// narrow upright crossing it).</summary>
    private static void AddOccluder(ref Ctx cx, float x, float foot, float hp)
    {
        var rng = cx.Rng;
        float hpH = hp * cx.Sh;
        float y = foot + rng.Range(0.01f, 0.08f) * MathF.Max(hpH, 0.2f);
        // At most 40% of the standing height, so a seated figure (about 70% as tall) keeps its
        // head and shoulders in view.
        float cover = rng.Range(0.12f, 0.4f);
        float top = foot - cover * hpH;
        int r = rng.NextInt(100);
        ItemKind kind = r switch
        {
            < 30 => ItemKind.Box,
            < 45 => ItemKind.Table,
            < 60 => ItemKind.Plant,
            < 75 => ItemKind.Pole,
            < 85 => ItemKind.Chair,
            _ => cx.Setting == Setting.Outdoor ? ItemKind.Vehicle : ItemKind.Cabinet,
        };
        ref var it = ref Add(ref cx);
        it.Kind = kind;
        it.Y = y;
        float h = (y - top) / cx.Sh;
        float w = kind switch
        {
            ItemKind.Pole => hp * rng.Range(0.04f, 0.08f),
            ItemKind.Chair => hp * rng.Range(0.25f, 0.35f),
            ItemKind.Vehicle => h * rng.Range(2.5f, 3.2f),
            _ => hp * rng.Range(0.35f, 1.1f),
        };
        if (kind == ItemKind.Pole)
        {
            h = (y - foot + hpH * rng.Range(0.9f, 1.5f)) / cx.Sh;
            it.P0 = rng.Range(0f, 0.25f); // plain upright, no lamp or sign over the head
        }
        it.H = h;
        it.W = w;
        float halfFigure = 0.15f * hp * cx.Sw;
        it.X = x + rng.Range(-1f, 1f) * (halfFigure + (kind == ItemKind.Pole ? 0f : 0.3f * w * cx.Sw));
        if (kind is ItemKind.Box or ItemKind.Cabinet) { it.P0 = rng.Range(0.05f, 0.4f); it.P1 = Math.Clamp((0.5f - it.X) * 2.5f, -1f, 1f); }
        if (kind == ItemKind.Table) it.P0 = 0f; // nothing standing on it
        // Keep the whole drawing (top faces, leaves, table top) below the cover line.
        switch (kind)
        {
            case ItemKind.Box:
            case ItemKind.Cabinet:
                it.P0 = MathF.Min(it.P0, 0.3f * it.H / it.W);
                it.H -= it.P0 * it.W;
                break;
            case ItemKind.Table:
                it.H /= 1.4f;
                break;
            case ItemKind.Plant:
                float ratio = rng.Range(0.55f, 0.9f);
                it.H /= 1f + 0.2f * ratio;
                it.W = ratio * it.H;
                break;
        }
        it.C0 = kind == ItemKind.Plant ? Colour.Hsv(rng.Range(0.2f, 0.42f), rng.Range(0.35f, 0.8f), rng.Range(0.25f, 0.6f)) : AnyColour(rng);
        it.C1 = kind == ItemKind.Vehicle ? Colour.Hsv(rng.Range(0.55f, 0.65f), rng.Range(0.1f, 0.4f), rng.Range(0.1f, 0.35f)) : AnyColour(rng);
        it.C2 = Muted(rng, 0.5f, 0.85f);
    }

    private static void BuildCamera(Rng rng, ref CameraSpec c)
    {
        c.Gain = rng.Range(0.75f, 1.2f);
        float wb = rng.Range(0f, 0.09f);
        c.WhiteBalance = new Colour(1f + rng.Range(-wb, wb), 1f + rng.Range(-wb * 0.5f, wb * 0.5f), 1f + rng.Range(-wb, wb));
        c.GradientX = rng.Range(-0.25f, 0.25f);
        c.GradientY = rng.Range(-0.25f, 0.2f);
        c.Vignette = rng.Range(0f, 0.25f);
        c.Noise = rng.Chance(0.15f) ? rng.Range(6f, 12f) : rng.Range(0.8f, 5f);
        c.NoiseSeed = rng.NextUInt64();
    }
}
