using Dnas.Engine;

namespace Dnas.Data.Synthetic;

internal enum Pose : byte { Standing, Walking, Sitting, ArmsRaised, Waving }

internal enum Facing : byte { Front, Back, Side, ThreeQuarter }

/// <summary>One articulated person: placement, body, pose (joint angles) and clothing. Angles are
/// radians measured from straight down, positive turning towards +x (image right); a limb's
/// second angle is relative to its first. "A" limbs hang from the image-left shoulder or hip in
/// front view and are the far limbs in side view.</summary>
internal struct FigureSpec
{
    // Placement: pelvis x (fraction of width), lowest foot y (fraction of height, may be beyond 1),
    // standing height (fraction of min(width, height)).
    public float X, FootY, Height;

    public Pose Pose;
    public Facing Facing;
    /// <summary>+1 facing image right, -1 facing left (side and three-quarter views).</summary>
    public int Dir;
    /// <summary>Apparent width of shoulders and hips: 1 facing the camera, ~0 in profile.</summary>
    public float Breadth;
    public float Build, HeadScale, Lean, HeadTilt;
    public float ArmA1, ArmA2, ArmB1, ArmB2, LegA1, LegA2, LegB1, LegB2;
    /// <summary>Foreshortening of the thighs (1, or ~0.35 for a seated figure facing the camera).</summary>
    public float ThighScale;

    public Colour Skin, Hair, Shirt, Pants, Shoes, HatColour, SeatColour, BagColour;
    public bool LongSleeves, Shorts, Dress, LongHair, Hat, Bag;
}

/// <summary>Generates and draws articulated people.</summary>
internal static class Figure
{
    private static readonly Colour[] SkinStops =
    [
        new(62, 40, 28), new(112, 74, 50), new(160, 114, 82), new(206, 160, 124), new(240, 204, 178),
    ];

    private static readonly Colour[] HairColours =
    [
        new(22, 18, 16), new(40, 28, 20), new(68, 44, 26), new(112, 74, 42), new(188, 152, 96), new(150, 148, 145), new(128, 58, 28),
    ];

    public static Colour SkinTone(Rng rng)
    {
        float t = rng.Range(0f, SkinStops.Length - 1.001f);
        int i = (int)t;
        var c = SkinStops[i].Lerp(SkinStops[i + 1], t - i);
        return new Colour(c.R + rng.Range(-8, 8), c.G + rng.Range(-8, 8), c.B + rng.Range(-8, 8));
    }

    /// <summary>A garment colour: a quarter neutrals (black, white, greys, navy, beige), the rest any hue.</summary>
    public static Colour Garment(Rng rng)
    {
        if (rng.Chance(0.3f))
        {
            return rng.NextInt(6) switch
            {
                0 => Colour.Hsv(0f, 0f, rng.Range(0.06f, 0.18f)),
                1 => Colour.Hsv(0f, 0f, rng.Range(0.8f, 0.97f)),
                2 => Colour.Hsv(0f, 0f, rng.Range(0.3f, 0.65f)),
                3 => Colour.Hsv(rng.Range(0.6f, 0.67f), rng.Range(0.4f, 0.7f), rng.Range(0.15f, 0.35f)),
                4 => Colour.Hsv(rng.Range(0.08f, 0.12f), rng.Range(0.2f, 0.4f), rng.Range(0.6f, 0.85f)),
                _ => Colour.Hsv(rng.Range(0.55f, 0.62f), rng.Range(0.3f, 0.6f), rng.Range(0.35f, 0.6f)), // denim
            };
        }
        return Colour.Hsv(rng.Range(0f, 1f), rng.Range(0.3f, 0.9f), rng.Range(0.25f, 0.92f));
    }

    /// <summary>Draws the body, pose and clothing (not the placement) of a figure.</summary>
    public static void Generate(Rng rng, ref FigureSpec f)
    {
        f.Pose = rng.NextInt(20) switch
        {
            < 7 => Pose.Standing,
            < 13 => Pose.Walking,
            < 16 => Pose.Sitting,
            < 18 => Pose.ArmsRaised,
            _ => Pose.Waving,
        };
        f.Facing = rng.NextInt(10) switch
        {
            < 4 => Facing.Front,
            < 5 => Facing.Back,
            < 8 => Facing.Side,
            _ => Facing.ThreeQuarter,
        };
        if (f.Pose == Pose.Walking && rng.Chance(0.6f)) f.Facing = Facing.Side;
        f.Dir = rng.Sign();
        f.Breadth = f.Facing switch
        {
            Facing.Side => rng.Range(0.05f, 0.3f),
            Facing.ThreeQuarter => rng.Range(0.5f, 0.75f),
            _ => rng.Range(0.85f, 1f),
        };
        f.Build = rng.Range(0.85f, 1.2f);
        f.HeadScale = rng.Range(0.93f, 1.1f);
        f.HeadTilt = rng.Radians(-8, 8);
        f.Lean = rng.Radians(-4, 4);
        f.ThighScale = 1f;
        bool side = f.Facing is Facing.Side or Facing.ThreeQuarter && f.Breadth < 0.6f;
        int d = f.Dir;

        // Relaxed arms and legs, then the pose overrides.
        if (side)
        {
            f.ArmA1 = d * rng.Radians(-8, 10); f.ArmA2 = d * rng.Radians(5, 30);
            f.ArmB1 = d * rng.Radians(-8, 10); f.ArmB2 = d * rng.Radians(5, 30);
            f.LegA1 = d * rng.Radians(-4, 4); f.LegA2 = 0f;
            f.LegB1 = d * rng.Radians(-4, 4); f.LegB2 = 0f;
        }
        else
        {
            f.ArmA1 = -rng.Radians(5, 18); f.ArmA2 = rng.Radians(-4, 12);
            f.ArmB1 = rng.Radians(5, 18); f.ArmB2 = -rng.Radians(-4, 12);
            f.LegA1 = -rng.Radians(1, 8); f.LegA2 = rng.Radians(0, 4);
            f.LegB1 = rng.Radians(1, 8); f.LegB2 = -rng.Radians(0, 4);
        }
        switch (f.Pose)
        {
            case Pose.Walking:
                if (side)
                {
                    float swing = rng.Radians(18, 34), s = rng.Sign();
                    f.LegA1 = d * s * swing; f.LegB1 = -d * s * swing;
                    float back = rng.Radians(15, 45), front = rng.Radians(0, 12);
                    // The rear leg (thigh pointing backwards) bends its knee most.
                    f.LegA2 = -d * (s < 0 ? back : front);
                    f.LegB2 = -d * (s < 0 ? front : back);
                    float arm = swing * rng.Range(0.6f, 1.1f);
                    f.ArmA1 = -d * s * arm; f.ArmB1 = d * s * arm;
                    f.ArmA2 = d * rng.Radians(10, 40); f.ArmB2 = d * rng.Radians(10, 40);
                    f.Lean = d * rng.Radians(0, 7);
                }
                else
                {
                    float s = rng.Sign(), k = rng.Radians(5, 15);
                    f.LegA1 = -rng.Radians(0, 4); f.LegB1 = rng.Radians(0, 4);
                    if (s > 0) f.LegA2 = k; else f.LegB2 = -k;
                    f.ArmA1 = -rng.Radians(3, 10); f.ArmB1 = rng.Radians(3, 10);
                }
                break;
            case Pose.Sitting:
                if (side)
                {
                    f.LegA1 = d * rng.Radians(72, 98); f.LegA2 = -d * rng.Radians(70, 105);
                    f.LegB1 = d * rng.Radians(72, 98); f.LegB2 = -d * rng.Radians(65, 100);
                    f.ArmA1 = d * rng.Radians(10, 45); f.ArmA2 = d * rng.Radians(25, 80);
                    f.ArmB1 = d * rng.Radians(10, 45); f.ArmB2 = d * rng.Radians(25, 80);
                    f.Lean = -d * rng.Radians(0, 10);
                }
                else
                {
                    f.ThighScale = rng.Range(0.28f, 0.45f);
                    f.LegA1 = -rng.Radians(8, 25); f.LegA2 = rng.Radians(5, 25);
                    f.LegB1 = rng.Radians(8, 25); f.LegB2 = -rng.Radians(5, 25);
                    f.ArmA1 = -rng.Radians(3, 12); f.ArmA2 = rng.Radians(20, 60);
                    f.ArmB1 = rng.Radians(3, 12); f.ArmB2 = -rng.Radians(20, 60);
                }
                break;
            case Pose.ArmsRaised:
                if (side)
                {
                    f.ArmA1 = d * rng.Radians(130, 185); f.ArmA2 = d * rng.Radians(-15, 20);
                    f.ArmB1 = d * rng.Radians(130, 185); f.ArmB2 = d * rng.Radians(-15, 20);
                }
                else if (rng.Chance(0.5f))
                {
                    // A "Y": both arms up and out.
                    f.ArmA1 = -rng.Radians(125, 170); f.ArmA2 = rng.Radians(-15, 15);
                    f.ArmB1 = rng.Radians(125, 170); f.ArmB2 = -rng.Radians(-15, 15);
                }
                else
                {
                    // Hands up: upper arms out, forearms up.
                    f.ArmA1 = -rng.Radians(75, 110); f.ArmA2 = -rng.Radians(60, 95);
                    f.ArmB1 = rng.Radians(75, 110); f.ArmB2 = rng.Radians(60, 95);
                }
                break;
            case Pose.Waving:
                if (side)
                {
                    f.ArmB1 = d * rng.Radians(100, 170); f.ArmB2 = d * rng.Radians(-10, 40);
                }
                else if (rng.Chance(0.5f))
                {
                    f.ArmA1 = -rng.Radians(70, 110); f.ArmA2 = -rng.Radians(40, 100);
                }
                else
                {
                    f.ArmB1 = rng.Radians(70, 110); f.ArmB2 = rng.Radians(40, 100);
                }
                break;
        }

        f.Skin = SkinTone(rng);
        f.Hair = HairColours[rng.NextInt(HairColours.Length)];
        f.Shirt = Garment(rng);
        f.Pants = Garment(rng);
        f.Shoes = rng.Chance(0.7f) ? Colour.Hsv(rng.Range(0f, 1f), rng.Range(0f, 0.4f), rng.Range(0.05f, 0.3f)) : Garment(rng);
        f.LongSleeves = rng.Chance(0.6f);
        f.Dress = rng.Chance(0.15f);
        f.Shorts = !f.Dress && rng.Chance(0.2f);
        f.LongHair = rng.Chance(0.3f);
        f.Hat = rng.Chance(0.15f);
        f.HatColour = Garment(rng);
        f.Bag = rng.Chance(0.15f);
        f.BagColour = Garment(rng);
        f.SeatColour = Colour.Hsv(rng.Range(0f, 1f), rng.Range(0.1f, 0.6f), rng.Range(0.2f, 0.7f));
    }

    private struct Joint(float x, float y)
    {
        public float X = x, Y = y;
    }

    private static Joint End(Joint from, float length, float angle) =>
        new(from.X + length * MathF.Sin(angle), from.Y + length * MathF.Cos(angle));

    /// <summary>Draws a figure whose pelvis is at x = <paramref name="px"/>, lowest foot at
    /// y = <paramref name="footY"/>, standing height <paramref name="u"/> pixels.</summary>
    public static void Draw(ref Canvas c, in FigureSpec f, float px, float footY, float u)
    {
        int d = f.Dir;
        bool side = f.Breadth < 0.6f;
        bool back = f.Facing == Facing.Back;
        float b = f.Breadth, build = f.Build;

        // Body dimensions in pixels.
        float headR = 0.068f * u * f.HeadScale;
        float neckLen = 0.04f * u, torsoLen = 0.285f * u;
        float upperArm = 0.165f * u, foreArm = 0.15f * u;
        float thigh = 0.235f * u * f.ThighScale, shin = 0.235f * u;
        float shoulderHalf = 0.118f * u * build, hipHalf = 0.082f * u * build;
        float chestHalf = 0.072f * u * build, seatHalf = 0.068f * u * build;
        float armR0 = 0.036f * u * build, armR1 = 0.029f * u, wristR = 0.021f * u, handR = 0.027f * u;
        float legR0 = 0.056f * u * build, kneeR = 0.041f * u, ankleR = 0.029f * u;

        // Skeleton around the pelvis at the origin.
        float ux = MathF.Sin(f.Lean), uy = -MathF.Cos(f.Lean); // up the spine
        float qx = -uy, qy = ux;                               // across the body, towards +x
        var pelvis = new Joint(0f, 0f);
        var chest = new Joint(ux * torsoLen, uy * torsoLen);
        var neckTop = new Joint(chest.X + ux * neckLen, chest.Y + uy * neckLen);
        float ht = f.Lean + f.HeadTilt;
        var head = new Joint(neckTop.X + MathF.Sin(ht) * headR * 0.8f, neckTop.Y - MathF.Cos(ht) * headR * 0.8f);
        float topHalf = chestHalf + (shoulderHalf - chestHalf) * b, botHalf = seatHalf + (hipHalf - seatHalf) * b;
        float armOff = MathF.Max(0f, (shoulderHalf - armR0 * 0.9f) * b), legOff = MathF.Max(0f, (hipHalf - legR0 * 0.85f) * b);
        float shoulderDrop = armR0 * 0.4f;
        var shA = new Joint(chest.X - qx * armOff - ux * shoulderDrop, chest.Y - qy * armOff - uy * shoulderDrop);
        var shB = new Joint(chest.X + qx * armOff - ux * shoulderDrop, chest.Y + qy * armOff - uy * shoulderDrop);
        if (side) { shA.X -= d * 0.01f * u; shB.X += d * 0.01f * u; }
        var hipA = new Joint(-qx * legOff, -qy * legOff);
        var hipB = new Joint(qx * legOff, qy * legOff);
        var elbowA = End(shA, upperArm, f.ArmA1); var wristA = End(elbowA, foreArm, f.ArmA1 + f.ArmA2);
        var elbowB = End(shB, upperArm, f.ArmB1); var wristB = End(elbowB, foreArm, f.ArmB1 + f.ArmB2);
        var kneeA = End(hipA, thigh, f.LegA1); var ankleA = End(kneeA, shin, f.LegA1 + f.LegA2);
        var kneeB = End(hipB, thigh, f.LegB1); var ankleB = End(kneeB, shin, f.LegB1 + f.LegB2);
        float footLen = side ? 0.075f * u : 0.03f * u;
        var toeA = side ? new Joint(ankleA.X + d * footLen, ankleA.Y + 0.012f * u) : new Joint(ankleA.X - 0.012f * u, ankleA.Y + footLen);
        var toeB = side ? new Joint(ankleB.X + d * footLen, ankleB.Y + 0.012f * u) : new Joint(ankleB.X + 0.012f * u, ankleB.Y + footLen);
        float footR = 0.024f * u;

        // Place: lowest point of the feet on footY.
        float lowest = MathF.Max(MathF.Max(ankleA.Y, toeA.Y), MathF.Max(ankleB.Y, toeB.Y)) + footR;
        float ox = px, oy = footY - lowest;

        var light = c.Light;
        var skin = f.Skin;
        float far = 0.78f; // far limbs in profile are a little darker

        // Contact shadow on the ground.
        c.Mode = MaskMode.None;
        c.Ellipse(ox + (ankleA.X + ankleB.X) * 0.5f - light.X * 0.1f * u, footY - 0.004f * u, 0.2f * u * (0.6f + 0.4f * b) + 0.06f * u, 0.028f * u, 0f,
            Colour.Black, 0f, 0.3f);

        if (f.Pose == Pose.Sitting) DrawSeat(ref c, in f, ox, oy, footY, u, side, d, pelvis, kneeA, kneeB, chest, hipHalf, legR0);

        c.Mode = MaskMode.Figure;
        var sleeve = f.LongSleeves ? f.Shirt : skin;
        var shinColour = f.Shorts || f.Dress ? skin : f.Pants;

        // Long hair falls behind the shoulders.
        if (f.LongHair && !back)
            c.Capsule(ox + head.X - d * (side ? 0.3f : 0f) * headR, oy + head.Y, ox + chest.X - d * (side ? 0.5f : 0f) * headR, oy + chest.Y + 0.05f * u,
                headR * 0.95f, headR * (side ? 0.7f : 1.05f), f.Hair, 0.3f);
        if (f.Bag && side)
            c.Box(ox + chest.X - d * (chestHalf + 0.03f * u), oy + chest.Y + 0.12f * u, 0.05f * u, 0.09f * u, 0f, 0.02f * u, f.BagColour, -d * 0.3f, 0.2f);

        if (side)
        {
            Arm(ref c, ox, oy, shA, elbowA, wristA, armR0, armR1, wristR, handR, sleeve.Scale(far), f.Shirt.Scale(far), skin.Scale(far));
            Leg(ref c, ox, oy, hipA, kneeA, ankleA, toeA, legR0, kneeR, ankleR, footR, f.Pants.Scale(far), shinColour.Scale(far), f.Shoes.Scale(far));
            Leg(ref c, ox, oy, hipB, kneeB, ankleB, toeB, legR0, kneeR, ankleR, footR, f.Pants, shinColour, f.Shoes);
        }
        else
        {
            Leg(ref c, ox, oy, hipA, kneeA, ankleA, toeA, legR0, kneeR, ankleR, footR, f.Pants, shinColour, f.Shoes);
            Leg(ref c, ox, oy, hipB, kneeB, ankleB, toeB, legR0, kneeR, ankleR, footR, f.Pants, shinColour, f.Shoes);
        }
        // Pelvis joins the legs to the torso.
        c.Capsule(ox + hipA.X, oy + hipA.Y, ox + hipB.X, oy + hipB.Y, legR0 * 1.05f, legR0 * 1.05f, f.Dress ? f.Shirt : f.Pants, 0.3f);
        if (f.Dress)
        {
            float hem = (f.Pose == Pose.Sitting ? 0.12f : 0.24f) * u, hw = botHalf * 1.15f + 0.02f * u;
            float flare = f.Pose == Pose.Sitting ? 1.3f : 1.6f;
            float wx = ox + pelvis.X + ux * 0.06f * u, wy = oy + pelvis.Y + uy * 0.06f * u;
            float hx = wx - ux * (0.06f * u + hem), hy = wy - uy * (0.06f * u + hem);
            float sx = side && f.Pose == Pose.Sitting ? d * 0.12f * u : 0f;
            c.Quad(wx - qx * hw, wy - qy * hw, wx + qx * hw, wy + qy * hw, hx + sx + qx * hw * flare, hy + qy * hw * flare, hx + sx - qx * hw * flare, hy - qy * hw * flare,
                f.Shirt, -light.X * 0.3f / (hw * flare), 0f, wx, wy);
        }

        // Torso: a trapezoid from the shoulders to the hips, shoulders rounded by a capsule.
        {
            float tx = ox + chest.X + ux * 0.01f * u, ty = oy + chest.Y + uy * 0.01f * u;
            float bx = ox + pelvis.X - ux * 0.03f * u, by = oy + pelvis.Y - uy * 0.03f * u;
            var shirt = f.Shirt;
            c.Quad(tx - qx * topHalf, ty - qy * topHalf, tx + qx * topHalf, ty + qy * topHalf,
                bx + qx * botHalf, by + qy * botHalf, bx - qx * botHalf, by - qy * botHalf,
                shirt, -light.X * 0.25f / topHalf, -light.Y * 0.15f / torsoLen, (tx + bx) * 0.5f, (ty + by) * 0.5f);
            float rr = MathF.Min(armR0 * 1.15f, topHalf);
            float sh = MathF.Max(0f, topHalf - rr);
            c.Capsule(tx - qx * sh - ux * rr * 0.6f, ty - qy * sh - uy * rr * 0.6f, tx + qx * sh - ux * rr * 0.6f, ty + qy * sh - uy * rr * 0.6f,
                rr, rr, shirt, 0.3f);
            if (f.Bag && !side)
            {
                float bw = topHalf * 0.75f;
                if (back)
                    c.Box((tx + bx) * 0.5f, (ty + by) * 0.5f - 0.02f * u, bw, torsoLen * 0.38f, f.Lean, 0.02f * u, f.BagColour, -light.X * 0.3f, 0.1f);
                else // a strap across the chest
                    c.Capsule(tx - qx * topHalf * 0.7f, ty - qy * topHalf * 0.7f, bx + qx * botHalf * 0.9f, by + qy * botHalf * 0.9f, 0.012f * u, 0.012f * u, f.BagColour);
            }
        }

        // Neck and head.
        c.Capsule(ox + chest.X - ux * 0.01f * u, oy + chest.Y - uy * 0.01f * u, ox + neckTop.X, oy + neckTop.Y, 0.03f * u, 0.027f * u, skin.Scale(0.9f), 0.3f);
        DrawHead(ref c, in f, ox + head.X, oy + head.Y, headR, side, back, d);
        if (f.LongHair && back)
            c.Capsule(ox + head.X, oy + head.Y, ox + neckTop.X - ux * 0.07f * u, oy + neckTop.Y - uy * 0.07f * u, headR * 0.95f, headR * 1.0f, f.Hair, 0.3f);

        // Arms last in front view (over the torso); the near arm last in profile.
        if (side)
            Arm(ref c, ox, oy, shB, elbowB, wristB, armR0, armR1, wristR, handR, sleeve, f.Shirt, skin);
        else
        {
            Arm(ref c, ox, oy, shA, elbowA, wristA, armR0, armR1, wristR, handR, sleeve, f.Shirt, skin);
            Arm(ref c, ox, oy, shB, elbowB, wristB, armR0, armR1, wristR, handR, sleeve, f.Shirt, skin);
        }
        c.Mode = MaskMode.None;
    }

    private static void Arm(ref Canvas c, float ox, float oy, Joint sh, Joint el, Joint wr, float r0, float r1, float rw, float rh,
        Colour fore, Colour upper, Colour skin)
    {
        c.Capsule(ox + el.X, oy + el.Y, ox + wr.X, oy + wr.Y, r1 * 0.95f, rw, fore, 0.45f);
        c.Capsule(ox + sh.X, oy + sh.Y, ox + el.X, oy + el.Y, r0, r1, upper, 0.45f);
        float dx = wr.X - el.X, dy = wr.Y - el.Y, len = MathF.Max(MathF.Sqrt(dx * dx + dy * dy), 1e-3f);
        c.Circle(ox + wr.X + dx / len * rh * 0.7f, oy + wr.Y + dy / len * rh * 0.7f, rh, skin, 0.4f);
    }

    private static void Leg(ref Canvas c, float ox, float oy, Joint hip, Joint knee, Joint ankle, Joint toe, float r0, float rk, float ra, float rf,
        Colour thigh, Colour shin, Colour shoe)
    {
        c.Capsule(ox + knee.X, oy + knee.Y, ox + ankle.X, oy + ankle.Y, rk, ra, shin, 0.45f);
        c.Capsule(ox + hip.X, oy + hip.Y, ox + knee.X, oy + knee.Y, r0, rk * 1.05f, thigh, 0.45f);
        c.Capsule(ox + ankle.X, oy + ankle.Y, ox + toe.X, oy + toe.Y, rf, rf, shoe, 0.3f);
    }

    private static void DrawHead(ref Canvas c, in FigureSpec f, float hx, float hy, float r, bool side, bool back, int d)
    {
        var skin = f.Skin;
        if (back)
        {
            c.Circle(hx, hy, r, skin, 0.45f);
            c.Ellipse(hx, hy - 0.06f * r, r * 1.03f, r * 0.98f, 0f, f.Hair, 0.4f);
        }
        else if (side)
        {
            c.Ellipse(hx + d * 0.12f * r, hy + 0.05f * r, r * 0.92f, r, 0f, skin, 0.45f);
            c.Circle(hx + d * 0.88f * r, hy + 0.12f * r, r * 0.16f, skin, 0.3f); // nose
            c.Ellipse(hx - d * 0.14f * r, hy - 0.16f * r, r * 0.9f, r * 0.82f, -d * 0.3f, f.Hair, 0.35f);
            if (r >= 3.5f) c.Circle(hx + d * 0.5f * r, hy - 0.02f * r, MathF.Max(0.1f * r, 0.45f), new Colour(30, 24, 22));
        }
        else
        {
            c.Ellipse(hx, hy - 0.12f * r, r * 1.04f, r * 0.96f, 0f, f.Hair, 0.35f);
            float fx = hx + (f.Facing == Facing.ThreeQuarter ? d * 0.1f * r : 0f);
            c.Ellipse(fx, hy + 0.1f * r, r * 0.86f, r * 0.9f, 0f, skin, 0.4f);
            if (r >= 3.5f)
            {
                float er = MathF.Max(0.09f * r, 0.45f), ey = hy + 0.08f * r;
                var eye = new Colour(32, 26, 24);
                c.Circle(fx - 0.34f * r, ey, er, eye);
                c.Circle(fx + 0.34f * r, ey, er, eye);
                c.Capsule(fx - 0.2f * r, hy + 0.5f * r, fx + 0.2f * r, hy + 0.5f * r, 0.05f * r, 0.05f * r, skin.Scale(0.72f));
            }
        }
        if (f.Hat)
        {
            c.Ellipse(hx, hy - 0.5f * r, r * 1.45f, r * 0.2f, 0f, f.HatColour, 0.3f);
            c.Ellipse(hx, hy - 0.75f * r, r * 0.95f, r * 0.5f, 0f, f.HatColour, 0.4f);
        }
    }

    /// <summary>What a seated figure sits on: a stool or bench box (profile) or a chair seen from
    /// the front, drawn before the figure and not part of its mask.</summary>
    private static void DrawSeat(ref Canvas c, in FigureSpec f, float ox, float oy, float floor, float u, bool side, int d,
        Joint pelvis, Joint kneeA, Joint kneeB, Joint chest, float hipHalf, float legR0)
    {
        c.Mode = MaskMode.Occluder;
        var col = f.SeatColour;
        float seatTop = oy + pelvis.Y + legR0 * 0.9f;
        if (side)
        {
            float back = ox + pelvis.X - d * 0.14f * u, front = ox + MathF.Max(kneeA.X * d, kneeB.X * d) * d - d * 0.03f * u;
            float l = MathF.Min(back, front), r = MathF.Max(back, front);
            c.Rect(l, seatTop, r, seatTop + 0.04f * u, col.Scale(1.1f));
            float legW = 0.018f * u;
            c.Rect(l + legW * 0.2f, seatTop, l + legW * 1.2f, floor, col.Scale(0.8f));
            c.Rect(r - legW * 1.2f, seatTop, r - legW * 0.2f, floor, col.Scale(0.8f));
            // Chair back behind the torso.
            float bx = ox + pelvis.X - d * 0.13f * u;
            c.Rect(bx - legW, oy + chest.Y - 0.02f * u, bx + legW, seatTop, col.Scale(0.9f));
        }
        else
        {
            float hw = hipHalf * 1.6f + 0.04f * u;
            float cx = ox + pelvis.X;
            c.Rect(cx - hw * 0.9f, oy + chest.Y - 0.04f * u, cx + hw * 0.9f, seatTop, col.Scale(0.85f), 0.2f);
            c.Rect(cx - hw, seatTop - 0.02f * u, cx + hw, seatTop + 0.04f * u, col.Scale(1.1f));
            float legW = 0.02f * u;
            c.Rect(cx - hw, seatTop, cx - hw + legW, floor, col.Scale(0.7f));
            c.Rect(cx + hw - legW, seatTop, cx + hw, floor, col.Scale(0.7f));
        }
        c.Mode = MaskMode.None;
    }
}
