using System.ComponentModel;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Shop.Api.Infrastructure;
using Shop.Core.Common;
using Shop.Core.Pricing;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class PricingEndpoints
{
    public static IEndpointRouteBuilder MapPricingEndpoints(this IEndpointRouteBuilder api)
    {
        var discounts = api.MapGroup("/discounts").WithTags("Discounts").RequireAuthorization(Authentication.AdminPolicy).WithRequestValidation();
        discounts.MapPost("/", CreateDiscount).Problems(StatusCodes.Status409Conflict, "code-taken")
            .WithSummary("Create a discount code: percentage, fixed_amount or free_shipping, with optional limits, dates and eligible products or categories.");
        discounts.MapQuery("/", ListDiscounts).WithSummary("Every discount code, newest first; filter by code (part of it) or isActive.");
        discounts.MapGet("/{id:guid}", GetDiscount).WithSummary("One discount code with its use count.");
        discounts.MapPut("/{id:guid}", UpdateDiscount).Problems(StatusCodes.Status409Conflict, "code-taken")
            .WithSummary("Replace a discount code; its use count stays.");
        discounts.MapDelete("/{id:guid}", DeleteDiscount).Problems(StatusCodes.Status409Conflict, "concurrent-change")
            .WithSummary("Delete a discount code; one that an order used is deactivated instead.");

        var shipping = api.MapGroup("/shipping-methods").WithTags("Shipping and tax").WithRequestValidation();
        shipping.MapQuery("/", ListShippingMethods).WithSummary("The active shipping methods, cheapest first; for one destination when country is given.");
        shipping.MapGet("/{id:guid}", GetShippingMethod).WithSummary("One active shipping method (admins also see inactive ones).");
        var manageShipping = shipping.MapGroup("/").RequireAuthorization(Authentication.AdminPolicy);
        manageShipping.MapPost("/", CreateShippingMethod).WithSummary("Create a shipping method; no countries means it ships everywhere.");
        manageShipping.MapPut("/{id:guid}", UpdateShippingMethod).WithSummary("Replace a shipping method.");
        manageShipping.MapDelete("/{id:guid}", DeleteShippingMethod).WithSummary("Delete a shipping method; orders keep its name and what it cost them.");

        var taxes = api.MapGroup("/tax-rates").WithTags("Shipping and tax").WithRequestValidation();
        taxes.MapQuery("/", ListTaxRates).WithSummary("The tax rate of every destination country that has one.");
        taxes.MapGet("/{country}", GetTaxRate).WithSummary("The tax rate of one destination country.");
        var manageTaxes = taxes.MapGroup("/").RequireAuthorization(Authentication.AdminPolicy);
        manageTaxes.MapPut("/{country}", PutTaxRate).Problems(StatusCodes.Status409Conflict, "concurrent-change")
            .WithSummary("Set a destination country's tax rate (0.2 is 20%), charged on lines after discount, and on shipping when appliesToShipping.");
        manageTaxes.MapDelete("/{country}", DeleteTaxRate).WithSummary("Remove a country's tax rate: orders to it are no longer taxed.");
        return api;
    }

    private static async Task<Created<DiscountResponse>> CreateDiscount(DiscountRequest request, DiscountService discounts, CancellationToken cancellationToken)
    {
        var discount = await discounts.CreateAsync(request, cancellationToken);
        return TypedResults.Created(Links.Discount(discount.Id), discount);
    }

    private static async Task<Ok<PagedResult<DiscountResponse>>> ListDiscounts([AsParameters] DiscountListQuery query, DiscountService discounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await discounts.ListAsync(query, cancellationToken));

    private static async Task<Ok<DiscountResponse>> GetDiscount(Guid id, DiscountService discounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await discounts.GetAsync(id, cancellationToken));

    private static async Task<Ok<DiscountResponse>> UpdateDiscount(Guid id, DiscountRequest request, DiscountService discounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await discounts.UpdateAsync(id, request, cancellationToken));

    private static async Task<NoContent> DeleteDiscount(Guid id, DiscountService discounts, CancellationToken cancellationToken)
    {
        await discounts.DeleteAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PagedResult<ShippingMethodResponse>>> ListShippingMethods(
        [AsParameters] ShippingMethodListQuery query, ShippingAndTaxService shipping, CancellationToken cancellationToken) =>
        TypedResults.Ok(await shipping.ListMethodsAsync(query, cancellationToken));

    private static async Task<Ok<ShippingMethodResponse>> GetShippingMethod(Guid id, ClaimsPrincipal user, ShippingAndTaxService shipping, CancellationToken cancellationToken) =>
        TypedResults.Ok(await shipping.GetMethodAsync(id, user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Created<ShippingMethodResponse>> CreateShippingMethod(ShippingMethodRequest request, ShippingAndTaxService shipping, CancellationToken cancellationToken)
    {
        var method = await shipping.CreateMethodAsync(request, cancellationToken);
        return TypedResults.Created(Links.ShippingMethod(method.Id), method);
    }

    private static async Task<Ok<ShippingMethodResponse>> UpdateShippingMethod(Guid id, ShippingMethodRequest request, ShippingAndTaxService shipping, CancellationToken cancellationToken) =>
        TypedResults.Ok(await shipping.UpdateMethodAsync(id, request, cancellationToken));

    private static async Task<NoContent> DeleteShippingMethod(Guid id, ShippingAndTaxService shipping, CancellationToken cancellationToken)
    {
        await shipping.DeleteMethodAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PagedResult<TaxRateResponse>>> ListTaxRates([AsParameters] PageQuery paging, ShippingAndTaxService taxes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await taxes.ListRatesAsync(paging, cancellationToken));

    private static async Task<Ok<TaxRateResponse>> GetTaxRate(
        [Description("ISO 3166-1 alpha-2 code of the destination country.")] string country, ShippingAndTaxService taxes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await taxes.GetRateAsync(country, cancellationToken));

    private static async Task<Ok<TaxRateResponse>> PutTaxRate(
        [Description("ISO 3166-1 alpha-2 code of the destination country.")] string country, TaxRateRequest request, ShippingAndTaxService taxes,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await taxes.PutRateAsync(country, request, cancellationToken));

    private static async Task<NoContent> DeleteTaxRate(
        [Description("ISO 3166-1 alpha-2 code of the destination country.")] string country, ShippingAndTaxService taxes, CancellationToken cancellationToken)
    {
        await taxes.DeleteRateAsync(country, cancellationToken);
        return TypedResults.NoContent();
    }
}
