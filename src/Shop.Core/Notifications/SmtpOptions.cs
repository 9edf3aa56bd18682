namespace Shop.Core.Notifications;

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>Without a host, mail is written as .eml files into <see cref="PickupDirectory"/>.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;
    public string From { get; set; } = "Shop <shop@localhost>";
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>STARTTLS when the server offers it (true), or plain (false); port 465 always uses TLS on connect.</summary>
    public bool UseTls { get; set; } = true;

    public string PickupDirectory { get; set; } = "mail";
}
