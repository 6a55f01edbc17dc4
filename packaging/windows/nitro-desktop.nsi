; Nitro Desktop installer for Windows (NSIS 3, Modern UI 2).
;
; Built by `python packaging\build.py windows` after PyInstaller made the one-dir bundle:
;   makensis -DVERSION=0.1.0 -DPAYLOAD=dist\pyinstaller\nitro-desktop -DICON=build\icons\nitro-desktop.ico
;            -DOUTFILE=dist\nitro-desktop-0.1.0-windows-x64-setup.exe packaging\windows\nitro-desktop.nsi
;
; Installs per machine into "Program Files\Nitro Desktop": Start menu entry, an uninstaller
; registered in "Apps & features", and the .nitroreq file association (opens nitro-desktop.exe "%1").

Unicode true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef PAYLOAD
  !error "define PAYLOAD: the PyInstaller one-dir bundle (dist\pyinstaller\nitro-desktop)"
!endif
!ifndef OUTFILE
  !define OUTFILE "nitro-desktop-${VERSION}-windows-x64-setup.exe"
!endif

!define APPNAME "Nitro Desktop"
!define EXENAME "nitro-desktop.exe"
!define PROGID "NitroDesktop.Request"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\NitroDesktop"

!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "${UNINSTKEY}" "InstallLocation"
BrandingText "${APPNAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "FileDescription" "${APPNAME} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Nitro Desktop developers (MIT)"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXENAME}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APPNAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APPNAME} needs 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "${APPNAME}" SecMain
  SectionIn RO
  ; An upgrade replaces the whole bundle: stale DLLs from an older version must not linger.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; Start menu
  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\${EXENAME}" "" "$INSTDIR\${EXENAME}" 0

  ; .nitroreq file association (machine-wide ProgID)
  WriteRegStr HKLM "Software\Classes\.nitroreq" "" "${PROGID}"
  WriteRegStr HKLM "Software\Classes\.nitroreq" "Content Type" "application/x-nitroreq"
  WriteRegStr HKLM "Software\Classes\${PROGID}" "" "Nitro Desktop request"
  WriteRegStr HKLM "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\${EXENAME},0"
  WriteRegStr HKLM "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${EXENAME}" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'  ; SHCNE_ASSOCCHANGED

  ; Apps & features
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "Nitro Desktop developers"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${EXENAME},0"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  ; Remove the association only if it is still ours.
  ReadRegStr $0 HKLM "Software\Classes\.nitroreq" ""
  StrCmp $0 "${PROGID}" 0 +2
    DeleteRegKey HKLM "Software\Classes\.nitroreq"
  DeleteRegKey HKLM "Software\Classes\${PROGID}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
  DeleteRegKey HKLM "${UNINSTKEY}"
  ; The bundle only: keys live in the Windows Credential Manager and data under %LOCALAPPDATA%,
  ; which stay (deleting a user's keys on uninstall would be unrecoverable).
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\nitro-desktop.exe"
  Delete "$INSTDIR\nitro-desktop-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
