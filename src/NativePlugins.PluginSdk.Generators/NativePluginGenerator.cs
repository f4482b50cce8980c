using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace NativePlugins.PluginSdk.Generators;

/// <summary>
/// Exports every [NativePlugin] class of the compilation through one <c>np_entry</c>: no central list, adding a
/// class is enough. Emits <c>NplugExports.g.cs</c> (see <see cref="ExportsWriter"/>) when at least one class is
/// valid; classes that cannot be exported get NPLUG0xx diagnostics instead.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NativePluginGenerator : IIncrementalGenerator
{
    /// <summary>The MSBuild property (CompilerVisibleProperty) that marks a plugin project: Aot or Hosted.</summary>
    public const string ModeProperty = "build_property.NplugPluginMode";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<PluginAnalysis> analyses = context.SyntaxProvider.ForAttributeWithMetadataName(
            PluginAnalyzer.AttributeName,
            predicate: static (node, _) => node is ClassDeclarationSyntax,
            transform: static (ctx, _) => PluginAnalyzer.Analyze((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0]));

        IncrementalValueProvider<string?> mode = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            options.GlobalOptions.TryGetValue(ModeProperty, out string? value) && value.Length > 0 ? value : null);

        context.RegisterSourceOutput(analyses.Collect().Combine(mode), static (spc, input) => Emit(spc, input.Left, input.Right));
    }

    private static void Emit(SourceProductionContext context, ImmutableArray<PluginAnalysis> analyses, string? mode)
    {
        foreach (PluginAnalysis analysis in analyses)
        {
            foreach (DiagnosticInfo diagnostic in analysis.Diagnostics)
                context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (analyses.Length == 0)
        {
            if (mode is not null)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoPlugins, Location.None, mode));
            return;
        }

        // Unique ids (rule P2), in a stable order: by id, so the bundle's order does not depend on file order.
        var plugins = new List<PluginModel>();
        var byId = new Dictionary<string, PluginModel>();
        bool failed = analyses.Any(a => a.Model is null);
        foreach (PluginModel model in analyses.Select(a => a.Model).OfType<PluginModel>()
                     .OrderBy(m => m.Id, System.StringComparer.Ordinal).ThenBy(m => m.TypeName, System.StringComparer.Ordinal))
        {
            if (byId.TryGetValue(model.Id, out PluginModel? first))
            {
                var duplicate = new DiagnosticInfo(DiagnosticDescriptors.DuplicateId.Id, model.Location,
                    EquatableArray.From(new[] { model.Id, first.DisplayTypeName, model.DisplayTypeName }));
                context.ReportDiagnostic(duplicate.ToDiagnostic());
                failed = true;
                continue;
            }
            byId.Add(model.Id, model);
            plugins.Add(model);
        }

        // Any error exports nothing, rather than a library silently missing a plugin its author declared.
        if (!failed)
            context.AddSource("NplugExports.g.cs", SourceText.From(ExportsWriter.Write(plugins), System.Text.Encoding.UTF8));
    }
}
