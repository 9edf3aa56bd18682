using Microsoft.EntityFrameworkCore;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Users;

/// <summary>A user's saved addresses. Every query is scoped to the owner: another user's address is simply not found.</summary>
public sealed class AddressService(ShopDbContext db, TimeProvider clock)
{
    public const int MaxAddressesPerUser = 50;

    /// <summary>Oldest first, in the list envelope every list uses.</summary>
    public Task<PagedResult<AddressResponse>> ListAsync(Guid userId, PageQuery paging, CancellationToken cancellationToken) =>
        db.Addresses.AsNoTracking().Where(a => a.UserId == userId)
            .PageAsync(q => q.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id), paging, a => a.ToResponse(), cancellationToken);

    public async Task<AddressResponse> GetAsync(Guid userId, Guid addressId, CancellationToken cancellationToken) =>
        (await FindAsync(userId, addressId, cancellationToken)).ToResponse();

    public async Task<AddressResponse> CreateAsync(Guid userId, AddressRequest request, CancellationToken cancellationToken)
    {
        if (await db.Addresses.CountAsync(a => a.UserId == userId, cancellationToken) >= MaxAddressesPerUser)
        {
            throw new ConflictException($"An account can keep at most {MaxAddressesPerUser} addresses.", "address-limit");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var address = new Address { UserId = userId, FullName = "", Line1 = "", City = "", PostalCode = "", Country = "", CreatedAt = now, UpdatedAt = now };
        address.Apply(request);
        db.Addresses.Add(address);
        await db.SaveChangesAsync(cancellationToken);
        return address.ToResponse();
    }

    public async Task<AddressResponse> UpdateAsync(Guid userId, Guid addressId, AddressRequest request, CancellationToken cancellationToken)
    {
        var address = await FindAsync(userId, addressId, cancellationToken);
        address.Apply(request);
        address.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return address.ToResponse();
    }

    public async Task DeleteAsync(Guid userId, Guid addressId, CancellationToken cancellationToken)
    {
        var deleted = await db.Addresses.Where(a => a.Id == addressId && a.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            throw AddressNotFound();
        }
    }

    private async Task<Address> FindAsync(Guid userId, Guid addressId, CancellationToken cancellationToken) =>
        await db.Addresses.SingleOrDefaultAsync(a => a.Id == addressId && a.UserId == userId, cancellationToken)
        ?? throw AddressNotFound();

    private static NotFoundException AddressNotFound() => new("Address not found.");
}
