# Builds every C# sample plugin in both modes, and the C# test fixtures, as part of the normal CMake build.
#
#   NativeAOT  src/plugins/<P>  -> ${NP_PLUGIN_OUTPUT_DIR}/lib<AssemblyName>.so
#   hosted     src/plugins/<P>  -> ${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}/lib<AssemblyName>.so + <AssemblyName>.managed/
#   examples   the C# plugin of the acme.greeter/1 example (tests/examples/greeter/csharp) in both modes, into
#              examples/ and examples-hosted/: it implements a user interface, not np.transform/1, so it stays out
#              of the sample folders that tests/conformance.sh checks as transforms.
#   fixtures   the throwing plugin in both modes (fixtures/ and fixtures-hosted/), plus hosted-shim failure fixtures
#              in fixtures/ (missing assembly, malformed runtimeconfig, no compatible framework, not a plugin).
#
# The same plugin built in two modes has the same plugin id, and ids must be unique in one host: hosted builds go to
# their own folder (plugins-hosted/), never next to the NativeAOT ones.
#
# Why the nested `dotnet publish` cannot collide with an outer `dotnet build NativePlugins.sln` (which reaches this
# through src/NativePlugins.Native): every nested build uses --artifacts-path under this CMake build folder, one per
# mode, so its obj/ and bin/ (and those of the SDK, the generator and NativePlugins.Interop it builds on the way)
# are never the repository's obj/bin folders the outer build writes. The two modes run one after the other (the
# hosted step depends on the NativeAOT one), the plugins of one mode one after the other in one command, MSBuild
# node reuse is off, and the variables an outer MSBuild leaves in the environment are removed.

if(NOT NP_DOTNET_EXECUTABLE)
  message(WARNING "hosted-shim: dotnet not found; the C# plugins are not built")
  return()
endif()

set(NP_CS_HOSTED_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins-hosted" CACHE PATH "Where hosted C# plugins are written")
set(NP_CS_HOSTED_FIXTURE_OUTPUT_DIR "${CMAKE_BINARY_DIR}/fixtures-hosted" CACHE PATH "Where hosted C# fixtures are written")
set(NP_CS_EXAMPLE_OUTPUT_DIR "${CMAKE_BINARY_DIR}/examples" CACHE PATH "Where NativeAOT C# example plugins are written")
set(NP_CS_HOSTED_EXAMPLE_OUTPUT_DIR "${CMAKE_BINARY_DIR}/examples-hosted" CACHE PATH "Where hosted C# example plugins are written")
set(NP_CS_DOTNET_CONFIGURATION "Release" CACHE STRING "Configuration of the C# plugin builds")
set(_np_cs_artifacts "${CMAKE_BINARY_DIR}/dotnet")
set(_np_cs_root "${PROJECT_SOURCE_DIR}")

# Sample plugins go to the plugin folders, fixtures to the fixture folders, examples to the example folders.
set(NP_CS_SAMPLE_PROJECTS
    "${_np_cs_root}/src/plugins/RegexFilter/RegexFilter.csproj"
    "${_np_cs_root}/src/plugins/WordFreq/WordFreq.csproj")
set(NP_CS_FIXTURE_PROJECTS
    "${_np_cs_root}/src/plugins/Fixtures/ThrowingPlugin/ThrowingPlugin.csproj")
set(NP_CS_EXAMPLE_PROJECTS
    "${_np_cs_root}/tests/examples/greeter/csharp/GreeterPlugin.csproj")

# Everything the plugins are built from: a change re-runs dotnet publish, no change skips it entirely.
file(GLOB_RECURSE _np_cs_inputs CONFIGURE_DEPENDS
     "${_np_cs_root}/src/NativePlugins.PluginSdk/*.cs" "${_np_cs_root}/src/NativePlugins.PluginSdk/*.csproj"
     "${_np_cs_root}/src/NativePlugins.PluginSdk/*.targets" "${_np_cs_root}/src/NativePlugins.PluginSdk/*.props"
     "${_np_cs_root}/src/NativePlugins.PluginSdk/*.c"
     "${_np_cs_root}/src/NativePlugins.PluginSdk/*.h"
     "${_np_cs_root}/src/NativePlugins.PluginSdk.Generators/*.cs"
     "${_np_cs_root}/src/NativePlugins.PluginSdk.Generators/*.csproj"
     "${_np_cs_root}/src/plugins/*.cs" "${_np_cs_root}/src/plugins/*.csproj"
     "${_np_cs_root}/tests/examples/greeter/csharp/*.cs" "${_np_cs_root}/tests/examples/greeter/csharp/*.csproj"
     "${_np_cs_root}/tests/examples/greeter/generated/csharp/*.cs"
     "${_np_cs_root}/interop/bindings/csharp/*.cs" "${_np_cs_root}/interop/bindings/csharp/*.csproj"
     "${_np_cs_root}/interop/include/*.h")
list(FILTER _np_cs_inputs EXCLUDE REGEX "/(bin|obj)/")
list(APPEND _np_cs_inputs "${_np_cs_root}/src/build/Common.props" "${_np_cs_root}/src/build/Package.props"
     "${_np_cs_root}/src/Directory.Build.props")

# dotnet as a child of CMake, possibly itself a child of an outer MSBuild: drop what MSBuild exports to children.
set(_np_cs_dotnet
    "${CMAKE_COMMAND}" -E env
    --unset=MSBuildExtensionsPath --unset=MSBuildSDKsPath --unset=MSBUILD_EXE_PATH
    --unset=MSBuildLoadMicrosoftTargetsReadOnly --unset=MSBUILDNOINPROCNODE
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
    "${NP_DOTNET_EXECUTABLE}" publish)
set(_np_cs_common_args
    -c "${NP_CS_DOTNET_CONFIGURATION}" -nologo -v:minimal -clp:NoSummary -nodeReuse:false
    -p:NplugSkipNativeBuild=true)

# One COMMAND per project; $mode, $artifacts, $plugin_dir, $fixture_dir, $example_dir are filled per mode below.
function(_np_cs_publish_commands out mode plugin_dir fixture_dir example_dir extra)
  set(commands "")
  foreach(project IN LISTS NP_CS_SAMPLE_PROJECTS)
    list(APPEND commands COMMAND ${_np_cs_dotnet} "${project}" ${_np_cs_common_args}
         --artifacts-path "${_np_cs_artifacts}/${mode}" -p:NplugPluginMode=${mode}
         "-p:NplugDeployDir=${plugin_dir}/" ${extra})
  endforeach()
  foreach(project IN LISTS NP_CS_FIXTURE_PROJECTS)
    list(APPEND commands COMMAND ${_np_cs_dotnet} "${project}" ${_np_cs_common_args}
         --artifacts-path "${_np_cs_artifacts}/${mode}" -p:NplugPluginMode=${mode}
         "-p:NplugDeployDir=${fixture_dir}/" ${extra})
  endforeach()
  foreach(project IN LISTS NP_CS_EXAMPLE_PROJECTS)
    list(APPEND commands COMMAND ${_np_cs_dotnet} "${project}" ${_np_cs_common_args}
         --artifacts-path "${_np_cs_artifacts}/${mode}" -p:NplugPluginMode=${mode}
         "-p:NplugDeployDir=${example_dir}/" ${extra})
  endforeach()
  set(${out} ${commands} PARENT_SCOPE)
endfunction()

# ---- NativeAOT ---------------------------------------------------------------------------------------------------
_np_cs_publish_commands(_np_cs_aot_commands Aot "${NP_PLUGIN_OUTPUT_DIR}" "${NP_FIXTURE_OUTPUT_DIR}"
                        "${NP_CS_EXAMPLE_OUTPUT_DIR}" "")
add_custom_command(
  OUTPUT "${_np_cs_artifacts}/aot.stamp"
  ${_np_cs_aot_commands}
  COMMAND "${CMAKE_COMMAND}" -E touch "${_np_cs_artifacts}/aot.stamp"
  DEPENDS ${_np_cs_inputs}
  BYPRODUCTS "${NP_PLUGIN_OUTPUT_DIR}/libnp_cs_regex.so" "${NP_PLUGIN_OUTPUT_DIR}/libnp_cs_wordfreq.so"
             "${NP_FIXTURE_OUTPUT_DIR}/libnp_cs_throwing.so" "${NP_CS_EXAMPLE_OUTPUT_DIR}/libnp_cs_greeter.so"
  WORKING_DIRECTORY "${_np_cs_root}"
  COMMENT "C# plugins, NativeAOT (dotnet publish) -> ${NP_PLUGIN_OUTPUT_DIR}"
  VERBATIM)
set(_np_cs_stamps "${_np_cs_artifacts}/aot.stamp")

# ---- hosted --------------------------------------------------------------------------------------------------------
if(TARGET np_cs_hosted_shim)
  _np_cs_publish_commands(_np_cs_hosted_commands Hosted "${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}"
                          "${NP_CS_HOSTED_FIXTURE_OUTPUT_DIR}" "${NP_CS_HOSTED_EXAMPLE_OUTPUT_DIR}"
                          "-p:NplugHostedShim=$<TARGET_FILE:np_cs_hosted_shim>")
  add_custom_command(
    OUTPUT "${_np_cs_artifacts}/hosted.stamp"
    ${_np_cs_hosted_commands}
    COMMAND "${CMAKE_COMMAND}" -E touch "${_np_cs_artifacts}/hosted.stamp"
    DEPENDS ${_np_cs_inputs} np_cs_hosted_shim "$<TARGET_FILE:np_cs_hosted_shim>" "${_np_cs_artifacts}/aot.stamp"
    BYPRODUCTS "${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}/libnp_cs_regex.so" "${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}/libnp_cs_wordfreq.so"
               "${NP_CS_HOSTED_FIXTURE_OUTPUT_DIR}/libnp_cs_throwing.so" "${NP_CS_HOSTED_EXAMPLE_OUTPUT_DIR}/libnp_cs_greeter.so"
    WORKING_DIRECTORY "${_np_cs_root}"
    COMMENT "C# plugins, hosted (dotnet publish + shim) -> ${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}"
    VERBATIM)
  list(APPEND _np_cs_stamps "${_np_cs_artifacts}/hosted.stamp")

  # Hosted-shim failure fixtures: each must make np_entry fail cleanly with a message, never abort.
  set(_fx "${NP_FIXTURE_OUTPUT_DIR}")
  set(_shim "$<TARGET_FILE:np_cs_hosted_shim>")
  set(_fxsrc "${CMAKE_CURRENT_SOURCE_DIR}/fixtures")
  set(_replace "${CMAKE_CURRENT_SOURCE_DIR}/replace-file.cmake")
  add_custom_command(
    OUTPUT "${_np_cs_artifacts}/shim-fixtures.stamp"
    # no payload at all
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${_shim}" "-DDST=${_fx}/libnp_cs_fixture_missing_assembly.so" -P "${_replace}"
    # a runtimeconfig that is not JSON
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${_shim}" "-DDST=${_fx}/libnp_cs_fixture_bad_runtimeconfig.so" -P "${_replace}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_fx}/np_cs_fixture_bad_runtimeconfig.managed"
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${_fxsrc}/malformed.runtimeconfig.json" "-DDST=${_fx}/np_cs_fixture_bad_runtimeconfig.managed/np_cs_fixture_bad_runtimeconfig.runtimeconfig.json" -P "${_replace}"
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}/np_cs_regex.managed/np_cs_regex.dll" "-DDST=${_fx}/np_cs_fixture_bad_runtimeconfig.managed/np_cs_fixture_bad_runtimeconfig.dll" -P "${_replace}"
    # a framework no machine has
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${_shim}" "-DDST=${_fx}/libnp_cs_fixture_no_runtime.so" -P "${_replace}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_fx}/np_cs_fixture_no_runtime.managed"
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${_fxsrc}/no-framework.runtimeconfig.json" "-DDST=${_fx}/np_cs_fixture_no_runtime.managed/np_cs_fixture_no_runtime.runtimeconfig.json" -P "${_replace}"
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}/np_cs_regex.managed/np_cs_regex.dll" "-DDST=${_fx}/np_cs_fixture_no_runtime.managed/np_cs_fixture_no_runtime.dll" -P "${_replace}"
    # a real .NET assembly that has no generated exports
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${_shim}" "-DDST=${_fx}/libnp_cs_fixture_not_a_plugin.so" -P "${_replace}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_fx}/np_cs_fixture_not_a_plugin.managed"
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}/np_cs_regex.managed/np_cs_regex.runtimeconfig.json" "-DDST=${_fx}/np_cs_fixture_not_a_plugin.managed/np_cs_fixture_not_a_plugin.runtimeconfig.json" -P "${_replace}"
    COMMAND "${CMAKE_COMMAND}" "-DSRC=${NP_CS_HOSTED_PLUGIN_OUTPUT_DIR}/np_cs_regex.managed/NativePlugins.Interop.dll" "-DDST=${_fx}/np_cs_fixture_not_a_plugin.managed/np_cs_fixture_not_a_plugin.dll" -P "${_replace}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${_np_cs_artifacts}/shim-fixtures.stamp"
    DEPENDS np_cs_hosted_shim "${_shim}" "${_np_cs_artifacts}/hosted.stamp"
            "${_fxsrc}/malformed.runtimeconfig.json" "${_fxsrc}/no-framework.runtimeconfig.json"
    COMMENT "hosted-shim failure fixtures -> ${_fx}"
    VERBATIM)
  list(APPEND _np_cs_stamps "${_np_cs_artifacts}/shim-fixtures.stamp")
endif()

add_custom_target(np_cs_plugins ALL DEPENDS ${_np_cs_stamps})
