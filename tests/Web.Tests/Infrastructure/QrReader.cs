using Microsoft.Playwright;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// Reads a QR code as a phone's camera would: Chromium draws the image the page shows onto a
/// canvas (white around it, scaled up), and ZXing decodes the pixels.
/// </summary>
public static class QrReader
{
    public static async Task<string> ReadAsync(IPage page, string imageSelector)
    {
        var pixels = await page.EvaluateAsync<string>(
            """
            async (selector) => {
              const img = document.querySelector(selector);
              const image = new Image();
              image.src = img.currentSrc || img.src;
              await image.decode();
              const size = 400, margin = 20;
              const canvas = document.createElement("canvas");
              canvas.width = canvas.height = size + 2 * margin;
              const ctx = canvas.getContext("2d");
              ctx.fillStyle = "#fff";
              ctx.fillRect(0, 0, canvas.width, canvas.height);
              ctx.imageSmoothingEnabled = false;
              ctx.drawImage(image, margin, margin, size, size);
              const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
              let text = "";
              for (let i = 0; i < data.length; i += 8192) text += String.fromCharCode(...data.subarray(i, i + 8192));
              return btoa(text);
            }
            """, imageSelector);
        var rgba = Convert.FromBase64String(pixels);
        var side = (int)Math.Sqrt(rgba.Length / 4);
        var source = new RGBLuminanceSource(rgba, side, side, RGBLuminanceSource.BitmapFormat.RGBA32);
        var result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)));
        Assert.True(result is not null, $"no QR code could be read from '{imageSelector}'");
        return result.Text;
    }
}
