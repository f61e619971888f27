; SyncAgent setup for Windows (64-bit), built by installer/build.sh:
;   makensis -DVERSION=1.2.3 -DWINVER=1.2.3.0 -DEXE=syncagent.exe -DCONFIG=config.yaml
;            -DEXAMPLE=config.example.yaml -DDOC=install.md -DOUTFILE=setup.exe syncagent.nsi
;
; Installs the program to C:\Program Files\SyncAgent, writes the default config and
; the folders under C:\ProgramData\SyncAgent without touching an existing config,
; registers the service (syncagent.exe install) and starts it. The uninstaller stops
; and removes the service and the program; config, data, logs and the drop folder stay.
; Silent: setup.exe /S, uninstall.exe /S.

Unicode true
Target amd64-unicode
RequestExecutionLevel admin
SetCompressor /SOLID lzma
ManifestDPIAware true

!include MUI2.nsh
!include LogicLib.nsh
!include x64.nsh
!include FileFunc.nsh

!define PRODUCT "SyncAgent"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\SyncAgent"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
InstallDirRegKey HKLM "${UNINSTKEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${WINVER}"
VIFileVersion "${WINVER}"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} setup"
VIAddVersionKey "LegalCopyright" "${PRODUCT} authors"

Var DataRoot ; C:\ProgramData\SyncAgent: config, data, logs, drop folder
Var Fresh    ; "1" when DataRoot did not exist before this setup

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_TEXT "${PRODUCT} runs as the Windows service $\"${PRODUCT}$\".$\r$\n$\r$\nAdd your stores to $DataRoot\config.yaml, check the file with$\r$\n  syncagent.exe check-config$\r$\nthen restart the service (syncagent.exe restart, as administrator).$\r$\n$\r$\nThe log: $DataRoot\data\logs\syncagent.log$\r$\nStart-up problems: Event Viewer > Windows Logs > Application."
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP|MB_OK "${PRODUCT} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

; Run a command, show its output in the details, leave its exit code in $0.
!macro Run cmd
  DetailPrint `${cmd}`
  nsExec::ExecToLog `${cmd}`
  Pop $0
!macroend

Section "${PRODUCT}"
  SetShellVarContext all
  StrCpy $DataRoot "$APPDATA\${PRODUCT}"

  ; An upgrade: stop the running service so its program can be replaced. The service
  ; registration (and a log-on account set in services.msc) is kept.
  ${If} ${FileExists} "$INSTDIR\syncagent.exe"
    !insertmacro Run '"$INSTDIR\syncagent.exe" stop'
  ${EndIf}

  SetOutPath "$INSTDIR"
  File "/oname=syncagent.exe" "${EXE}"
  File "/oname=config.example.yaml" "${EXAMPLE}"
  File "/oname=install.md" "${DOC}"

  ; Config and folders. The config is written only when there is none, so an upgrade or
  ; a reinstall keeps the merchant's settings.
  StrCpy $Fresh "0"
  ${IfNot} ${FileExists} "$DataRoot\*.*"
    StrCpy $Fresh "1"
  ${EndIf}
  CreateDirectory "$DataRoot"
  CreateDirectory "$DataRoot\data\logs"
  CreateDirectory "$DataRoot\drop"
  ${IfNot} ${FileExists} "$DataRoot\config.yaml"
    SetOutPath "$DataRoot"
    File "/oname=config.yaml" "${CONFIG}"
    DetailPrint "wrote the default config $DataRoot\config.yaml"
  ${Else}
    DetailPrint "kept the existing config $DataRoot\config.yaml"
  ${EndIf}
  ${If} $Fresh == "1"
    ; The config may hold API keys and the store holds orders: only SYSTEM and
    ; Administrators get in. Users may read the logs and drop files into the drop folder.
    !insertmacro Run 'icacls "$DataRoot" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:RX'
    !insertmacro Run 'icacls "$DataRoot\data" /grant *S-1-5-32-545:RX'
    !insertmacro Run 'icacls "$DataRoot\data\logs" /grant *S-1-5-32-545:(OI)(CI)RX'
    !insertmacro Run 'icacls "$DataRoot\drop" /grant *S-1-5-32-545:(OI)(CI)M'
  ${EndIf}

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PRODUCT}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\syncagent.exe"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" "$0"

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT} drop folder.lnk" "$DataRoot\drop"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT} log (live).lnk" "$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" \
    "-NoExit -Command $\"Get-Content -Wait -Tail 50 '$DataRoot\data\logs\syncagent.log'$\""
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT} folder.lnk" "$DataRoot"

  ; Register (a no-op when this program and config are registered already) and start.
  ; A failure here is reported, not fatal: the program is in place and the message
  ; says what to fix.
  !insertmacro Run '"$INSTDIR\syncagent.exe" install --config "$DataRoot\config.yaml"'
  ${If} $0 != 0
    MessageBox MB_ICONEXCLAMATION|MB_OK "The ${PRODUCT} service could not be registered (exit code $0); see the details. Fix the cause, then run as administrator:$\r$\n  $\"$INSTDIR\syncagent.exe$\" install --config $\"$DataRoot\config.yaml$\"" /SD IDOK
  ${Else}
    !insertmacro Run '"$INSTDIR\syncagent.exe" start'
    ${If} $0 != 0
      MessageBox MB_ICONEXCLAMATION|MB_OK "The ${PRODUCT} service did not start; the reason is in Event Viewer > Windows Logs > Application (source syncagent). Fix it, then run as administrator:$\r$\n  $\"$INSTDIR\syncagent.exe$\" start" /SD IDOK
    ${EndIf}
  ${EndIf}
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  StrCpy $DataRoot "$APPDATA\${PRODUCT}"
  ${If} ${FileExists} "$INSTDIR\syncagent.exe"
    !insertmacro Run '"$INSTDIR\syncagent.exe" uninstall'
    ${If} $0 != 0
      MessageBox MB_ICONEXCLAMATION|MB_OK "The ${PRODUCT} service could not be removed (exit code $0); see the details." /SD IDOK
    ${EndIf}
  ${EndIf}
  Delete "$INSTDIR\syncagent.exe"
  Delete "$INSTDIR\config.example.yaml"
  Delete "$INSTDIR\install.md"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}\*.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DetailPrint "kept $DataRoot (config, data, logs, drop folder); delete it by hand to remove everything"
SectionEnd
