namespace Dnas.Data.Synthetic;

internal enum ItemKind : byte
{
    Box, Pole, Ball, Rock, Plant, Tree, Vehicle, Chair, Table, Dog, Cabinet,
    // Background layer: drawn on the wall or at the horizon before anything stands in front.
    Building, Window, Door, Frame,
    // A person (Item.Figure indexes the scene's figures).
    Person,
}

/// <summary>One object of a scene. X is the centre (fraction of width), Y the ground contact
/// (fraction of height, also the depth order: larger Y is nearer and drawn later), W and H the
/// size (fractions of min(width, height)).</summary>
internal struct Item
{
    public ItemKind Kind;
    public float X, Y, W, H;
    public int Flip;
    public Colour C0, C1, C2;
    public float P0, P1;
    public ulong Detail;
    public int Figure;

    public readonly bool Background => Kind is ItemKind.Building or ItemKind.Window or ItemKind.Door or ItemKind.Frame;
}

/// <summary>A small deterministic stream for the fine details of one item (leaf positions,
/// window grids), seeded from the scene's <see cref="Dnas.Engine.Rng"/> so that drawing needs no
/// allocation.</summary>
internal struct DetailStream(ulong seed)
{
    private ulong _s = seed;

    public float Next()
    {
        ulong z = _s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 40) * (1f / (1 << 24));
    }

    public float Range(float lo, float hi) => lo + (hi - lo) * Next();
}

/// <summary>Draws scene objects. Each draws in pixels from its item description scaled to the image.</summary>
internal static class Scenery
{
    public static void Draw(ref Canvas c, in Item it, int width, int height)
    {
        float side = Math.Min(width, height);
        float x = it.X * width, y = it.Y * height, w = it.W * side, h = it.H * side;
        var ds = new DetailStream(it.Detail);
        var light = c.Light;
        if (!it.Background && it.Kind != ItemKind.Dog)
        {
            // Contact shadow.
            var mode = c.Mode;
            c.Mode = MaskMode.None;
            c.Ellipse(x - light.X * 0.08f * w, y - 0.01f * h, w * 0.6f, MathF.Max(0.06f * w, 0.6f), 0f, Colour.Black, 0f, 0.22f);
            c.Mode = mode;
        }
        switch (it.Kind)
        {
            case ItemKind.Box:
            case ItemKind.Cabinet:
            {
                float depth = it.P0 * w, dx = it.P1 * depth;
                float l = x - w * 0.5f, r = x + w * 0.5f, top = y - h;
                if (dx > 0f) c.Quad(r, y, r, top, r + dx, top - depth, r + dx, y - depth, it.C0.Scale(0.7f));
                else if (dx < 0f) c.Quad(l, y, l, top, l + dx, top - depth, l + dx, y - depth, it.C0.Scale(0.7f));
                c.Quad(l, top, r, top, r + dx, top - depth, l + dx, top - depth, it.C0.Scale(1.18f));
                c.Rect(l, top, r, y, it.C0, 0.12f);
                if (it.Kind == ItemKind.Cabinet)
                {
                    // Doors or drawers.
                    float t = MathF.Max(0.8f, 0.015f * w);
                    c.Rect(x - t * 0.5f, top + h * 0.05f, x + t * 0.5f, y - h * 0.05f, it.C0.Scale(0.6f));
                    c.Rect(x - w * 0.12f, top + h * 0.45f, x - w * 0.06f, top + h * 0.5f, it.C1);
                    c.Rect(x + w * 0.06f, top + h * 0.45f, x + w * 0.12f, top + h * 0.5f, it.C1);
                }
                else if (it.P0 > 0.3f)
                {
                    // A tape or label stripe.
                    c.Rect(l, top + h * 0.42f, r, top + h * 0.55f, it.C1, 0f, 0.8f);
                }
                break;
            }
            case ItemKind.Pole:
            {
                c.Box(x, y - h * 0.5f, w * 0.5f, h * 0.5f, 0f, 0f, it.C0, -light.X * 0.5f, 0f);
                if (it.P0 > 0.55f)
                {
                    // Street lamp: an arm and a lamp head.
                    float ax = x + it.Flip * w * 4f;
                    c.Capsule(x, y - h, ax, y - h + w, w * 0.35f, w * 0.35f, it.C0);
                    c.Ellipse(ax, y - h + w * 1.6f, w * 1.6f, w * 0.8f, 0f, it.C1, 0.3f);
                }
                else if (it.P0 > 0.25f)
                {
                    // A sign.
                    float sy = y - h + w * 3f;
                    c.Box(x, sy, w * 3.5f, w * 2.5f, 0f, w * (it.P1 > 0.5f ? 2.5f : 0.3f), it.C1, 0f, -0.1f);
                    c.Box(x, sy, w * 2.4f, w * 1.4f, 0f, w * (it.P1 > 0.5f ? 1.4f : 0.2f), it.C2, 0f, 0f);
                }
                break;
            }
            case ItemKind.Ball:
                c.Circle(x, y - w * 0.5f, w * 0.5f, it.C0, 0.6f);
                if (it.P0 > 0.6f) c.Capsule(x - w * 0.45f, y - w * 0.5f, x + w * 0.45f, y - w * 0.5f, w * 0.08f, w * 0.08f, it.C1, 0.4f);
                break;
            case ItemKind.Rock:
                c.Ellipse(x, y - h * 0.45f, w * 0.5f, h * 0.5f, it.P0 * 0.3f, it.C0, 0.55f);
                if (it.P1 > 0.5f) c.Ellipse(x + w * 0.3f, y - h * 0.25f, w * 0.3f, h * 0.3f, 0.2f, it.C0.Scale(0.85f), 0.55f);
                break;
            case ItemKind.Plant:
            {
                float potH = h * 0.32f;
                int leaves = 4 + (int)(ds.Next() * 6);
                var green = it.C0;
                float stemTop = y - h * 0.75f;
                c.Capsule(x, y - potH, x, stemTop, w * 0.03f, w * 0.02f, green.Scale(0.6f));
                for (int i = 0; i < leaves; i++)
                {
                    float lx = x + ds.Range(-0.32f, 0.32f) * w, ly = y - potH - ds.Range(0.1f, 0.95f) * (h - potH);
                    float angle = ds.Range(-1.2f, 1.2f);
                    float shade = ds.Range(0.75f, 1.15f);
                    c.Ellipse(lx, ly, w * ds.Range(0.1f, 0.2f), w * ds.Range(0.22f, 0.38f), angle, green.Scale(shade), 0.4f);
                }
                c.Quad(x - w * 0.28f, y - potH, x + w * 0.28f, y - potH, x + w * 0.2f, y, x - w * 0.2f, y, it.C1, -light.X * 0.6f / w, 0f, x, y);
                c.Rect(x - w * 0.3f, y - potH - potH * 0.12f, x + w * 0.3f, y - potH + potH * 0.08f, it.C1.Scale(1.1f));
                break;
            }
            case ItemKind.Tree:
            {
                float trunkTop = y - h * 0.55f;
                c.Capsule(x, y, x, trunkTop, w * 0.07f, w * 0.045f, it.C1, 0.5f);
                int blobs = 4 + (int)(ds.Next() * 5);
                float cy = y - h * 0.72f;
                for (int i = 0; i < blobs; i++)
                {
                    float bx = x + ds.Range(-0.3f, 0.3f) * w, by = cy + ds.Range(-0.25f, 0.15f) * h;
                    float r = w * ds.Range(0.18f, 0.32f);
                    c.Circle(bx, by, r, it.C0.Scale(ds.Range(0.8f, 1.15f)), 0.5f);
                }
                break;
            }
            case ItemKind.Vehicle:
            {
                int f = it.Flip;
                float bodyTop = y - h * 0.62f, bodyBottom = y - h * 0.14f;
                float cabinFront = x + f * w * (it.P0 > 0.6f ? 0.38f : 0.22f), cabinBack = x - f * w * 0.42f;
                float cabinTopFront = x + f * w * (it.P0 > 0.6f ? 0.33f : 0.08f), cabinTopBack = x - f * w * 0.36f;
                float roof = y - h;
                c.Quad(cabinBack, bodyTop + 1f, cabinFront, bodyTop + 1f, cabinTopFront, roof, cabinTopBack, roof, it.C0, 0f, 0.25f / h, x, y - h * 0.8f);
                // Windows.
                float inset = h * 0.06f;
                c.Quad(cabinBack + f * inset * 1.5f, bodyTop, cabinFront - f * inset * 1.5f, bodyTop,
                    cabinTopFront - f * inset, roof + inset, cabinTopBack + f * inset, roof + inset, it.C1);
                c.Box(x, (bodyTop + bodyBottom) * 0.5f, w * 0.5f, (bodyBottom - bodyTop) * 0.5f, 0f, h * 0.1f, it.C0, 0f, -0.25f);
                c.Rect(x - w * 0.5f, bodyTop + h * 0.2f, x + w * 0.5f, bodyTop + h * 0.24f, it.C0.Scale(0.75f));
                float wr = h * 0.17f;
                var tyre = new Colour(28, 28, 30);
                c.Circle(x - w * 0.3f, y - wr, wr, tyre, 0.2f);
                c.Circle(x + w * 0.3f, y - wr, wr, tyre, 0.2f);
                c.Circle(x - w * 0.3f, y - wr, wr * 0.45f, it.C2, 0.3f);
                c.Circle(x + w * 0.3f, y - wr, wr * 0.45f, it.C2, 0.3f);
                c.Ellipse(x + f * w * 0.47f, bodyTop + h * 0.12f, w * 0.03f, h * 0.05f, 0f, new Colour(240, 235, 200));
                break;
            }
            case ItemKind.Chair:
            {
                int f = it.Flip;
                float seat = y - h * 0.48f, t = MathF.Max(0.7f, w * 0.07f);
                var col = it.C0;
                if (it.P0 > 0.5f)
                {
                    // Profile: back on one side.
                    float l = x - w * 0.5f, r = x + w * 0.5f, bk = f > 0 ? l : r;
                    c.Rect(l, seat, l + t, y, col.Scale(0.8f));
                    c.Rect(r - t, seat, r, y, col.Scale(0.8f));
                    c.Rect(l, seat - t * 0.8f, r, seat + t * 0.4f, col.Scale(1.1f));
                    c.Rect(bk - t * 0.5f, y - h, bk + t * 0.5f, seat, col);
                }
                else
                {
                    float l = x - w * 0.5f, r = x + w * 0.5f;
                    c.Rect(l + t, y - h, r - t, seat - h * 0.1f, col, 0.15f);
                    c.Rect(l, y - h, l + t, y, col.Scale(0.8f));
                    c.Rect(r - t, y - h, r, y, col.Scale(0.8f));
                    c.Rect(l, seat - t, r, seat + t * 0.4f, col.Scale(1.15f));
                }
                break;
            }
            case ItemKind.Table:
            {
                float t = MathF.Max(0.8f, h * 0.07f), legW = MathF.Max(0.7f, w * 0.04f);
                float l = x - w * 0.5f, r = x + w * 0.5f;
                c.Rect(l + w * 0.06f, y - h, l + w * 0.06f + legW, y, it.C0.Scale(0.7f));
                c.Rect(r - w * 0.06f - legW, y - h, r - w * 0.06f, y, it.C0.Scale(0.7f));
                c.Quad(l, y - h, r, y - h, r - w * 0.06f, y - h - t * 1.5f, l + w * 0.06f, y - h - t * 1.5f, it.C0.Scale(1.2f));
                c.Rect(l, y - h, r, y - h + t, it.C0);
                if (it.P0 > 0.5f)
                {
                    // Something on the table: a vase or a lamp.
                    float vx = x + it.P1 * w * 0.3f - w * 0.15f;
                    c.Ellipse(vx, y - h - t * 1.5f - h * 0.12f, w * 0.06f, h * 0.13f, 0f, it.C1, 0.5f);
                }
                break;
            }
            case ItemKind.Dog:
            {
                // A four-legged animal: articulated like a person, but not one.
                int f = it.Flip;
                var col = it.C0;
                float bodyY = y - h * 0.58f, legR = w * 0.05f;
                var mode = c.Mode;
                c.Mode = MaskMode.None;
                c.Ellipse(x, y - 0.01f * h, w * 0.45f, MathF.Max(0.05f * w, 0.6f), 0f, Colour.Black, 0f, 0.22f);
                c.Mode = mode;
                float swing = it.P0 * 0.5f - 0.25f;
                c.Capsule(x - w * 0.28f, bodyY, x - w * 0.28f - swing * h, y - legR, legR * 1.2f, legR, col.Scale(0.75f), 0.3f);
                c.Capsule(x + w * 0.26f, bodyY, x + w * 0.26f + swing * h, y - legR, legR * 1.2f, legR, col.Scale(0.75f), 0.3f);
                c.Capsule(x - f * w * 0.42f, bodyY - h * 0.05f, x - f * w * 0.6f, bodyY - h * (0.1f + 0.3f * it.P1), legR * 0.8f, legR * 0.4f, col, 0.3f);
                c.Ellipse(x, bodyY, w * 0.42f, h * 0.2f, 0f, col, 0.45f);
                c.Capsule(x - w * 0.22f, bodyY, x - w * 0.22f + swing * h, y - legR, legR * 1.3f, legR, col, 0.35f);
                c.Capsule(x + w * 0.3f, bodyY, x + w * 0.3f - swing * h, y - legR, legR * 1.3f, legR, col, 0.35f);
                float hx = x + f * w * 0.45f, hy = bodyY - h * 0.32f;
                c.Capsule(x + f * w * 0.3f, bodyY - h * 0.05f, hx, hy, h * 0.13f, h * 0.1f, col, 0.35f);
                c.Circle(hx, hy, h * 0.15f, col, 0.45f);
                c.Ellipse(hx + f * h * 0.16f, hy + h * 0.05f, h * 0.12f, h * 0.08f, 0f, col.Scale(0.9f), 0.4f);
                c.Ellipse(hx - f * h * 0.05f, hy - h * 0.08f, h * 0.05f, h * 0.11f, f * 0.4f, it.C1, 0.2f);
                break;
            }
            case ItemKind.Building:
            {
                float l = x - w * 0.5f, r = x + w * 0.5f, top = y - h;
                c.Rect(l, top, r, y, it.C0, 0.1f);
                if (it.P1 > 0.6f) c.Triangle(l - w * 0.05f, top + 0.5f, r + w * 0.05f, top + 0.5f, x, top - w * 0.35f, it.C2);
                int cols = 2 + (int)(ds.Next() * 4), rows = 2 + (int)(ds.Next() * 5);
                float cw = w / cols, rh = h / (rows + 0.5f);
                for (int j = 0; j < rows; j++)
                    for (int i = 0; i < cols; i++)
                    {
                        float wx = l + (i + 0.5f) * cw, wy = top + (j + 0.6f) * rh;
                        c.Rect(wx - cw * 0.28f, wy - rh * 0.28f, wx + cw * 0.28f, wy + rh * 0.28f, it.C1.Scale(ds.Range(0.8f, 1.2f)));
                    }
                break;
            }
            case ItemKind.Window:
            {
                float t = MathF.Max(0.8f, w * 0.06f);
                c.Rect(x - w * 0.5f, y - h, x + w * 0.5f, y, it.C1);
                c.Rect(x - w * 0.5f + t, y - h + t, x + w * 0.5f - t, y - t, it.C0, -0.3f);
                c.Rect(x - t * 0.4f, y - h, x + t * 0.4f, y, it.C1);
                if (it.P0 > 0.4f) c.Rect(x - w * 0.5f, y - h * 0.5f - t * 0.4f, x + w * 0.5f, y - h * 0.5f + t * 0.4f, it.C1);
                if (it.P1 > 0.5f)
                {
                    // Curtains.
                    c.Rect(x - w * 0.62f, y - h * 1.05f, x - w * 0.35f, y + h * 0.05f, it.C2, 0.1f);
                    c.Rect(x + w * 0.35f, y - h * 1.05f, x + w * 0.62f, y + h * 0.05f, it.C2, 0.1f);
                }
                break;
            }
            case ItemKind.Door:
            {
                c.Rect(x - w * 0.55f, y - h * 1.03f, x + w * 0.55f, y, it.C1);
                c.Rect(x - w * 0.5f, y - h, x + w * 0.5f, y, it.C0, 0.08f);
                c.Rect(x - w * 0.38f, y - h * 0.9f, x + w * 0.38f, y - h * 0.58f, it.C0.Scale(0.88f));
                c.Rect(x - w * 0.38f, y - h * 0.5f, x + w * 0.38f, y - h * 0.1f, it.C0.Scale(0.88f));
                c.Circle(x + it.Flip * w * 0.36f, y - h * 0.48f, MathF.Max(0.5f, w * 0.04f), it.C2, 0.5f);
                break;
            }
            case ItemKind.Frame:
            {
                float t = MathF.Max(0.7f, w * 0.07f);
                c.Rect(x - w * 0.5f, y - h, x + w * 0.5f, y, it.C1);
                c.Rect(x - w * 0.5f + t, y - h + t, x + w * 0.5f - t, y - t, it.C0, -0.2f);
                if (it.P0 > 0.3f) c.Circle(x + (it.P1 - 0.5f) * w * 0.5f, y - h * 0.55f, MathF.Min(w, h) * 0.2f, it.C2);
                else c.Triangle(x - w * 0.4f + t, y - t, x + w * 0.1f, y - h * 0.6f, x + w * 0.4f - t, y - t, it.C2);
                break;
            }
        }
    }
}
