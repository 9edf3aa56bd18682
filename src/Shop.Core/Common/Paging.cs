using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Shop.Core.Common;

/// <summary>The <c>?page=&amp;pageSize=</c> pair every list accepts.</summary>
public record PageQuery(int? Page, int? PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public int PageNumber => Page ?? 1;
    public int Size => PageSize ?? DefaultPageSize;
    public int Skip => (PageNumber - 1) * Size;
}

public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, int TotalCount, int TotalPages);

public static class PagedResult
{
    public static PagedResult<T> Create<T>(IReadOnlyList<T> items, PageQuery query, int totalCount) =>
        new(items, query.PageNumber, query.Size, totalCount, (int)Math.Ceiling(totalCount / (double)query.Size));

    /// <summary>
    /// Every list: reads one page of <paramref name="filtered"/> in the order <paramref name="ordered"/>
    /// gives (ending with the id, so that pages never overlap or skip rows that tie; includes go there
    /// too), maps each row to its response and counts what the filter matches (<see cref="TotalCount"/>),
    /// unless the page says it: a page with rows but fewer than asked for (or a first page with none) is the last.
    /// </summary>
    public static Task<PagedResult<TResult>> PageAsync<T, TResult>(this IQueryable<T> filtered, Func<IQueryable<T>, IQueryable<T>> ordered,
        PageQuery paging, Func<T, TResult> map, CancellationToken cancellationToken) =>
        filtered.PageAsync((rows, page) => ordered(rows).Skip(page.Skip).Take(page.Size), paging, map, cancellationToken);

    /// <summary>
    /// The same, with a query of its own for the page's rows (<paramref name="page"/>: the filtered rows and the page
    /// asked for); <paramref name="count"/> makes the total when the page does not tell it (by default
    /// <see cref="TotalCount.CountAsync{T}(IQueryable{T}, CancellationToken)"/> of the filtered rows).
    /// </summary>
    public static async Task<PagedResult<TResult>> PageAsync<T, TResult>(this IQueryable<T> filtered, Func<IQueryable<T>, PageQuery, IQueryable<T>> page,
        PageQuery paging, Func<T, TResult> map, CancellationToken cancellationToken, Func<Task<int>>? count = null)
    {
        var rows = await page(filtered, paging).ToListAsync(cancellationToken);
        var total = rows.Count < paging.Size && (rows.Count > 0 || paging.Skip == 0)
            ? paging.Skip + rows.Count
            : await (count?.Invoke() ?? TotalCount.CountAsync(filtered, cancellationToken));
        return Create(rows.Select(map).ToList(), paging, total);
    }
}

public static class PagingRules
{
    /// <summary>Page bounds shared by every list validator.</summary>
    public static void ValidatePaging<T>(this AbstractValidator<T> validator, Func<T, int?> page, Func<T, int?> pageSize)
    {
        validator.RuleFor(x => page(x)).InclusiveBetween(1, 1_000_000).OverridePropertyName("page");
        validator.RuleFor(x => pageSize(x)).InclusiveBetween(1, PageQuery.MaxPageSize).OverridePropertyName("pageSize");
    }
}

public sealed class PageQueryValidator : AbstractValidator<PageQuery>
{
    public PageQueryValidator() => this.ValidatePaging(q => q.Page, q => q.PageSize);
}
