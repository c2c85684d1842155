<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="54"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="93"/>
        <source>Dynamics 365 (online)</source>
        <translation>Dynamics 365 (オンライン)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="54"/>
        <location filename="../../wizard/gui/models.py" line="67"/>
        <source>On-premises</source>
        <translation>オンプレミス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="55"/>
        <source>Internet-facing deployment (IFD)</source>
        <translation>インターネット接続展開 (IFD)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="59"/>
        <source>Microsoft Entra ID sign-in</source>
        <translation>Microsoft Entra ID サインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="59"/>
        <source>Windows authentication (user name and password)</source>
        <translation>Windows 認証 (ユーザー名とパスワード)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="60"/>
        <source>Claims-based sign-in (AD FS)</source>
        <translation>クレーム ベースのサインイン (AD FS)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="77"/>
        <location filename="../../wizard/gui/main_window.py" line="219"/>
        <source>Add an organization</source>
        <translation>組織の追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="78"/>
        <source>Paste the address of your organization, or sign in to Dynamics 365 (online) and choose from your organizations.</source>
        <translation>組織のアドレスを貼り付けるか、Dynamics 365 (オンライン) にサインインして所属する組織から選択してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="81"/>
        <source>Server &amp;URL</source>
        <translation>サーバー URL(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="82"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="85"/>
        <source>Server URL</source>
        <translation>サーバー URL</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="82"/>
        <source>Add an organization by its address.</source>
        <translation>アドレスを指定して組織を追加します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="84"/>
        <source>For example https://contoso.crm.dynamics.com or https://server/orgname</source>
        <translation>例: https://contoso.crm.dynamics.com または https://server/orgname</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="86"/>
        <source>Any address of the organization, copied from your browser, works.</source>
        <translation>ブラウザーからコピーした組織のアドレスであれば、どの形式でも使えます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="91"/>
        <source>What the address means</source>
        <translation>アドレスの解析結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="92"/>
        <source>Dynamics 365 (&amp;online): sign in and choose from your organizations</source>
        <translation>Dynamics 365 (オンライン)(&amp;O): サインインして組織を選択</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="94"/>
        <source>Sign in and pick from the organizations you belong to.</source>
        <translation>サインインして、所属する組織から選択します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="98"/>
        <source>Cloud</source>
        <translation>クラウド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="98"/>
        <source>Where your organization is hosted.</source>
        <translation>組織がホストされている場所です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="115"/>
        <source>&amp;Cloud:</source>
        <translation>クラウド(&amp;C):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="144"/>
        <source>Found: {url}</source>
        <translation>検出: {url}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="146"/>
        <source>organization {name}</source>
        <translation>組織 {name}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="226"/>
        <source>Finding out how to sign in</source>
        <translation>サインイン方法を確認しています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="231"/>
        <source>Detection result</source>
        <translation>検出結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="234"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="588"/>
        <location filename="../../wizard/gui/dialogs.py" line="261"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="190"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="104"/>
        <source>Progress</source>
        <translation>進行状況</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="244"/>
        <source>Contacting {url}…</source>
        <translation>{url} に接続しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="253"/>
        <source>{url} uses {method}.</source>
        <translation>{url} は {method} を使用しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="277"/>
        <source>Enter your credentials</source>
        <translation>資格情報の入力</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="278"/>
        <source>This organization uses Windows authentication.</source>
        <translation>この組織は Windows 認証を使用しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="282"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="73"/>
        <source>DOMAIN\name</source>
        <translation>DOMAIN\name</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="283"/>
        <location filename="../../wizard/gui/dialogs.py" line="642"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="531"/>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="286"/>
        <location filename="../../wizard/gui/dialogs.py" line="645"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="538"/>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="287"/>
        <location filename="../../wizard/gui/dialogs.py" line="648"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="532"/>
        <source>&amp;User name:</source>
        <translation>ユーザー名(&amp;U):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="287"/>
        <location filename="../../wizard/gui/dialogs.py" line="648"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="540"/>
        <source>&amp;Password:</source>
        <translation>パスワード(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="292"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="77"/>
        <source>&amp;Save credentials in the system keyring</source>
        <translation>システムのキーリングに資格情報を保存する(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="293"/>
        <location filename="../../wizard/gui/dialogs.py" line="108"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="79"/>
        <source>Save credentials</source>
        <translation>資格情報を保存する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="294"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="80"/>
        <source>When unchecked, nothing is stored and you are asked again next time.</source>
        <translation>オフの場合は何も保存されず、次回も入力を求められます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="296"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="309"/>
        <source>When this is unchecked, nothing is stored.</source>
        <translation>オフの場合、何も保存されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="299"/>
        <source>About saving credentials</source>
        <translation>資格情報の保存について</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="333"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="343"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="419"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="100"/>
        <source>Sign in</source>
        <translation>サインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="334"/>
        <source>Sign in with your work account.</source>
        <translation>職場のアカウントでサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="749"/>
        <source>Sign in &amp;here (sandbox sign-in page)</source>
        <translation>ここでサインイン (サンドボックスのサインイン ページ)(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="750"/>
        <source>Sign in here</source>
        <translation>ここでサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="750"/>
        <source>Sign in inside this app with a user name and password.</source>
        <translation>このアプリ内でユーザー名とパスワードを使ってサインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="751"/>
        <source>Sign in with my &amp;web browser</source>
        <translation>Web ブラウザーでサインイン(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="752"/>
        <source>Sign in with my web browser</source>
        <translation>Web ブラウザーでサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="753"/>
        <source>Opens your browser; come back here when you have signed in.</source>
        <translation>ブラウザーが開きます。サインインが終わったらこの画面に戻ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="754"/>
        <source>Sign in with a &amp;code on another device</source>
        <translation>別のデバイスでコードを使ってサインイン(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="755"/>
        <source>Sign in with a code</source>
        <translation>コードを使ってサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="756"/>
        <source>Shows a code to enter on any device; useful over the phone with your helpdesk.</source>
        <translation>任意のデバイスで入力するコードを表示します。ヘルプデスクと電話でやり取りするときに便利です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="342"/>
        <location filename="../../wizard/gui/dialogs.py" line="680"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="99"/>
        <source>&amp;Sign in</source>
        <translation>サインイン(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="343"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="100"/>
        <source>Start signing in.</source>
        <translation>サインインを開始します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="351"/>
        <source>Stop signing in</source>
        <translation>サインインを中止</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="351"/>
        <source>Stop waiting for the sign-in.</source>
        <translation>サインインを待つのをやめます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="359"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="89"/>
        <source>Sign-in status</source>
        <translation>サインインの状態</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="374"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="235"/>
        <source>Signing in was stopped.</source>
        <translation>サインインを中止しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="386"/>
        <source>Waiting for you to sign in…</source>
        <translation>サインインを待っています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="398"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="169"/>
        <source>Asking for a code…</source>
        <translation>コードを要求しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="404"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="196"/>
        <source>Waiting for you to sign in on the other device…</source>
        <translation>別のデバイスでのサインインを待っています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="411"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="168"/>
        <source>Continue in your web browser…</source>
        <translation>Web ブラウザーで続行してください…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="419"/>
        <source>Sign in to your organization&apos;s account.</source>
        <translation>組織のアカウントにサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="428"/>
        <source>Signing in as {user}…</source>
        <translation>{user} としてサインインしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="448"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="218"/>
        <source>Signed in as {user}.</source>
        <translation>{user} としてサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="460"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="239"/>
        <source>Sign-in failed: {message} {fix}</source>
        <translation>サインインに失敗しました: {message} {fix}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="501"/>
        <source>Choose organizations</source>
        <translation>組織の選択</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="502"/>
        <source>Select one or more organizations to add. Disabled organizations cannot be added.</source>
        <translation>追加する組織を 1 つ以上選択してください。無効な組織は追加できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="505"/>
        <source>Search by name, unique name or URL</source>
        <translation>名前、一意の名前、URL で検索</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="507"/>
        <source>Search organizations</source>
        <translation>組織の検索</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="508"/>
        <location filename="../../wizard/gui/mailbox_window.py" line="333"/>
        <source>&amp;Search:</source>
        <translation>検索(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="521"/>
        <source>Your organizations</source>
        <translation>あなたの組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="521"/>
        <source>Press Space to select or clear an organization.</source>
        <translation>Space キーで組織の選択と解除を切り替えます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="527"/>
        <location filename="../../wizard/gui/fields.py" line="61"/>
        <location filename="../../wizard/gui/models.py" line="114"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="534"/>
        <source>Finding your organizations…</source>
        <translation>組織を検索しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="546"/>
        <source>You do not belong to any organization in this cloud.</source>
        <translation>このクラウドで所属している組織はありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="583"/>
        <source>Connecting</source>
        <translation>接続中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="584"/>
        <source>Checking each step of the connection.</source>
        <translation>接続の各ステップを確認しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="591"/>
        <source>Connection steps</source>
        <translation>接続のステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="597"/>
        <source>Connection result</source>
        <translation>接続結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="349"/>
        <location filename="../../wizard/gui/add_org_wizard.py" line="599"/>
        <source>S&amp;top</source>
        <translation>中止(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="227"/>
        <source>Asking the organization how it signs you in. This takes a moment.</source>
        <translation>組織にサインインの方法を問い合わせています。しばらくお待ちください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="262"/>
        <source>Could not reach the organization at “{typed}”: {message}
{fix}
Go Back to correct the address.</source>
        <translation>「{typed}」の組織に接続できませんでした: {message}
{fix}
[戻る] でアドレスを修正してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="548"/>
        <source>1 organization found.</source>
        <translation>1 件の組織が見つかりました。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/add_org_wizard.py" line="549"/>
        <source>%n organizations found.</source>
        <translation>
            <numerusform>%n 件の組織が見つかりました。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="600"/>
        <source>Stop connecting</source>
        <translation>接続を中止</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="601"/>
        <source>Cancel connecting; you can go Back and change your input.</source>
        <translation>接続を取り消します。[戻る] で入力を変更できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="606"/>
        <location filename="../../wizard/gui/dialogs.py" line="139"/>
        <source>Fix the problem</source>
        <translation>問題を修正</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="656"/>
        <source>Connected. Choose Next to review.</source>
        <translation>接続しました。[次へ] を選んで内容を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="663"/>
        <source>Connect</source>
        <translation>接続</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="664"/>
        <source>The step &quot;{step}&quot; failed: {message}
How to fix it: {fix}
Choose Back to correct your input.</source>
        <translation>ステップ「{step}」が失敗しました: {message}
解決方法: {fix}
[戻る] を選んで入力を修正してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="666"/>
        <location filename="../../wizard/gui/dialogs.py" line="307"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="221"/>
        <source>see Details</source>
        <translation>詳細を参照してください</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="676"/>
        <source>Go back to the page where you can correct it.</source>
        <translation>修正できるページに戻ります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="709"/>
        <source>Stopped. Choose Back to change your input, or Cancel to close.</source>
        <translation>中止しました。[戻る] で入力を変更するか、[キャンセル] で閉じてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="721"/>
        <source>Ready to add</source>
        <translation>追加の準備ができました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="722"/>
        <source>Choose Finish to save. Nothing has been saved yet.</source>
        <translation>[完了] を選ぶと保存されます。まだ何も保存されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="730"/>
        <source>Summary</source>
        <translation>概要</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="739"/>
        <source>The organization that synchronizes appointments, contacts and tasks with your mailbox.</source>
        <translation>予定、連絡先、タスクをメールボックスと同期する組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="740"/>
        <source>S&amp;ynchronizing organization:</source>
        <translation>同期する組織(&amp;Y):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="749"/>
        <location filename="../../wizard/gui/dialogs.py" line="134"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="397"/>
        <source>Problem</source>
        <translation>問題</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="752"/>
        <source>Add &amp;without saving credentials</source>
        <translation>資格情報を保存せずに追加(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="754"/>
        <source>Add without saving credentials</source>
        <translation>資格情報を保存せずに追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="755"/>
        <source>Add the organization now; you are asked for the password next time.</source>
        <translation>今すぐ組織を追加します。次回はパスワードを尋ねられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="773"/>
        <source>• {name} ({url}), signed in as {user}</source>
        <translation>• {name} ({url})、サインイン ユーザー: {user}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="774"/>
        <location filename="../../wizard/gui/dialogs.py" line="497"/>
        <source>(none)</source>
        <translation>(なし)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="777"/>
        <source>Already in your list as {name}; it will be updated.</source>
        <translation>{name} として一覧にすでにあります。更新されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="780"/>
        <source>Warning: {text}</source>
        <translation>警告: {text}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="789"/>
        <source>{name} will become your synchronizing organization.</source>
        <translation>{name} が同期する組織になります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="794"/>
        <source>Your credentials will not be saved: this computer has no secure keyring.</source>
        <translation>資格情報は保存されません: このコンピューターには安全なキーリングがありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="796"/>
        <source>Your credentials will be saved in the system keyring.</source>
        <translation>資格情報はシステムのキーリングに保存されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="797"/>
        <source>Your credentials will not be saved.</source>
        <translation>資格情報は保存されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="799"/>
        <source>This computer has no secure keyring: your sign-in is kept only until you close the app.</source>
        <translation>このコンピューターには安全なキーリングがありません。サインインはアプリを閉じるまでしか保持されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="834"/>
        <source>Add Organization</source>
        <translation>組織の追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="851"/>
        <source>&lt; &amp;Back</source>
        <translation>&lt; 戻る(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="852"/>
        <source>&amp;Next &gt;</source>
        <translation>次へ(&amp;N) &gt;</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="853"/>
        <source>&amp;Finish</source>
        <translation>完了(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="854"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="903"/>
        <source>The organization was not added</source>
        <translation>組織は追加されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="82"/>
        <source>Properties of {name}</source>
        <translation>{name} のプロパティ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="88"/>
        <location filename="../../wizard/gui/models.py" line="114"/>
        <source>Display name</source>
        <translation>表示名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="88"/>
        <source>The name shown for this organization.</source>
        <translation>この組織に表示される名前です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="89"/>
        <source>&amp;Display name:</source>
        <translation>表示名(&amp;D):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="92"/>
        <source>Unique name:</source>
        <translation>一意の名前:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="92"/>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="93"/>
        <source>User:</source>
        <translation>ユーザー:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="93"/>
        <location filename="../../wizard/gui/models.py" line="133"/>
        <source>(not signed in)</source>
        <translation>(サインインしていません)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="94"/>
        <source>Version:</source>
        <translation>バージョン:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="94"/>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="101"/>
        <source>&amp;Save credentials so I am not asked again</source>
        <translation>資格情報を保存して次回から入力を省略する(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="106"/>
        <source>This organization signs you in with your work account; there is no password to save.</source>
        <translation>この組織では職場のアカウントでサインインするため、保存するパスワードはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="109"/>
        <source>Keep the password in the system keyring. When unchecked, nothing is stored.</source>
        <translation>パスワードをシステムのキーリングに保存します。オフの場合、何も保存されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="110"/>
        <source>&amp;Keep me connected to this organization</source>
        <translation>この組織への接続を維持する(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="112"/>
        <source>Keep connected</source>
        <translation>接続を維持する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="122"/>
        <source>&amp;Forget saved credentials</source>
        <translation>保存された資格情報を削除(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="124"/>
        <source>Forget saved credentials</source>
        <translation>保存された資格情報を削除</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="125"/>
        <source>Delete the password saved for this organization from the keyring.</source>
        <translation>この組織用に保存されたパスワードをキーリングから削除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="251"/>
        <source>Test connection to {name}</source>
        <translation>{name} への接続テスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="255"/>
        <location filename="../../wizard/gui/dialogs.py" line="335"/>
        <source>Testing the connection…</source>
        <translation>接続をテストしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="257"/>
        <source>Test result</source>
        <translation>テスト結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="261"/>
        <source>The test is running.</source>
        <translation>テストを実行しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="264"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="92"/>
        <source>Connection test steps</source>
        <translation>接続テストのステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="292"/>
        <source>The test was cancelled.</source>
        <translation>テストは取り消されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="295"/>
        <source>Connection test failed</source>
        <translation>接続テストに失敗しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="306"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="220"/>
        <source>The step &quot;{step}&quot; failed: {message}
How to fix it: {fix}</source>
        <translation>ステップ「{step}」が失敗しました: {message}
解決方法: {fix}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="309"/>
        <source>Connected, with warnings. {message} {fix}</source>
        <translation>接続しましたが、警告があります。{message} {fix}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="312"/>
        <location filename="../../wizard/gui/reauth_dialog.py" line="223"/>
        <source>All steps passed. The organization is reachable.</source>
        <translation>すべてのステップに成功しました。組織に接続できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="148"/>
        <source>&amp;Finish the switch</source>
        <translation>切り替えを完了する(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="43"/>
        <source>Read every mailbox record again and change what is still to do.</source>
        <translation>すべてのメールボックス レコードを読み直し、残っている変更だけを行います。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="149"/>
        <source>Set &amp;None in the other organizations</source>
        <translation>ほかの組織を「なし」にする(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="44"/>
        <source>Set appointments, contacts and tasks to None in your mailbox record of every organization but the synchronizing one.</source>
        <translation>同期する組織以外のすべての組織で、あなたのメールボックス レコードの予定・連絡先・タスクを「なし」にします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="359"/>
        <source>Change synchronizing organization</source>
        <translation>同期する組織の変更</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="361"/>
        <source>Do you want to change your synchronizing organization?</source>
        <translation>同期する組織を変更しますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="367"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="693"/>
        <source>Question</source>
        <translation>確認</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="380"/>
        <source>How {name} synchronizes appointments, contacts and tasks</source>
        <translation>{name} の予定・連絡先・タスクの同期方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="382"/>
        <source>Synchronization method</source>
        <translation>同期方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="384"/>
        <source>&amp;Server-side synchronization: Dynamics 365 synchronizes them with your Exchange mailbox</source>
        <translation>サーバー側同期(&amp;S): Dynamics 365 が Exchange メールボックスと同期します</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="386"/>
        <source>Server-side synchronization</source>
        <translation>サーバー側同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="387"/>
        <source>Dynamics 365 synchronizes appointments, contacts and tasks with your Exchange mailbox; this computer does not.</source>
        <translation>Dynamics 365 が予定・連絡先・タスクを Exchange メールボックスと同期します。このコンピューターは同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="389"/>
        <source>This &amp;computer: this app synchronizes them with the mailbox on this computer</source>
        <translation>このコンピューター(&amp;C): このアプリがこのコンピューターのメールボックスと同期します</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="391"/>
        <source>This computer</source>
        <translation>このコンピューター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="392"/>
        <source>This app&apos;s synchronization engine synchronizes appointments, contacts and tasks; the organization&apos;s record is set to Dynamics 365 for Outlook.</source>
        <translation>このアプリの同期エンジンが予定・連絡先・タスクを同期します。組織のレコードは Dynamics 365 for Outlook に設定されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="412"/>
        <source>Your Exchange mailbox synchronizes with {other} now. To take it for {target}, Test &amp; Enable runs with the option below, as Microsoft advises when the synchronizing organization changes.</source>
        <translation>現在、Exchange メールボックスは {other} と同期しています。{target} に切り替えるため、同期する組織を変えるときの Microsoft の推奨どおり、下のオプション付きでTest &amp; Enable (Test &amp; Enable)を実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="417"/>
        <source>If Test &amp; Enable says that your mailbox is configured with another organization, choose the option below.</source>
        <translation>Test &amp; Enable (Test &amp; Enable)で、メールボックスが別の組織に構成されていると表示された場合は、下のオプションを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="497"/>
        <source>From: {name}</source>
        <translation>変更前: {name}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="498"/>
        <source>To: {name}</source>
        <translation>変更後: {name}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="500"/>
        <source>{name} already synchronizes with your mailbox.</source>
        <translation>{name} は既にメールボックスと同期しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="502"/>
        <source>{name} will stop synchronizing appointments, contacts and tasks with your mailbox. You stay connected to it.</source>
        <translation>{name} は予定、連絡先、タスクのメールボックスとの同期を停止します。接続は維持されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="505"/>
        <source>{name} will start synchronizing appointments, contacts and tasks with your mailbox.</source>
        <translation>{name} が予定、連絡先、タスクのメールボックスとの同期を開始します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="511"/>
        <source>never</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="516"/>
        <source>In your mailbox record of each organization:</source>
        <translation>各組織のあなたのメールボックス レコード:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="521"/>
        <source>Your e-mail address {email} is not approved in {name} yet: an administrator must approve it (Approve Email) before server-side synchronization works.</source>
        <translation>メール アドレス {email} は {name} でまだ承認されていません。サーバー側同期が動作するには、管理者が承認する必要があります (メールの承認)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="525"/>
        <source>An earlier switch to {name} is not finished; this switch takes its place.</source>
        <translation>以前の {name} への切り替えが完了していません。この切り替えがそれに代わります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="529"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="711"/>
        <source>What will change</source>
        <translation>変更内容</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="775"/>
        <source>Browser sign-in</source>
        <translation>ブラウザーでのサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="781"/>
        <source>Sign-in address</source>
        <translation>サインインのアドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="781"/>
        <source>Open this address in a web browser to sign in.</source>
        <translation>このアドレスを Web ブラウザーで開いてサインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="783"/>
        <source>Copy &amp;address</source>
        <translation>アドレスをコピー(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="784"/>
        <source>Copy address</source>
        <translation>アドレスをコピー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="784"/>
        <source>Copy the sign-in address to the clipboard.</source>
        <translation>サインインのアドレスをクリップボードにコピーします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="788"/>
        <source>Sign in with a &amp;code instead</source>
        <translation>代わりにコードでサインイン(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="790"/>
        <location filename="../../wizard/gui/render.py" line="152"/>
        <source>Sign in with a code instead</source>
        <translation>代わりにコードでサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="791"/>
        <source>Stop waiting for the browser and show a code to enter on any device.</source>
        <translation>ブラウザーを待つのをやめ、任意のデバイスで入力するコードを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="802"/>
        <source>Continue in your web browser. If no sign-in page appeared, open this address in a browser yourself:</source>
        <translation>Web ブラウザーで続けてください。サインインのページが表示されない場合は、このアドレスをご自身でブラウザーで開いてください:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="805"/>
        <source>No web browser could be opened. Open this address in a web browser yourself, or sign in with a code on another device instead:</source>
        <translation>Web ブラウザーを開けませんでした。このアドレスをご自身で Web ブラウザーで開くか、代わりに別のデバイスでコードを使ってサインインしてください:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="407"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="222"/>
        <source>Your mailbox is set to synchronize with another organization, {other}. As long as that is so, nothing will synchronize with {target}. If you are sure this mailbox should synchronize with {target}, choose the option below.</source>
        <translation>メールボックスは別の組織 {other} と同期するように設定されています。この状態では {target} とは何も同期されません。このメールボックスを {target} と同期させてよいことが確実な場合は、下のオプションを選択してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="46"/>
        <source>Sign in to this organization again.</source>
        <translation>この組織にもう一度サインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="47"/>
        <location filename="../../wizard/gui/dialogs.py" line="48"/>
        <source>Sign in to this organization again with your password.</source>
        <translation>パスワードを使ってこの組織にもう一度サインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="49"/>
        <source>Sign in to this organization again with a code on another device.</source>
        <translation>別のデバイスでコードを使ってこの組織にもう一度サインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="50"/>
        <source>Run the connection test again.</source>
        <translation>接続テストをもう一度実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="51"/>
        <source>Unlock the keyring, then run the connection test again.</source>
        <translation>キーリングのロックを解除してから、接続テストをもう一度実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="52"/>
        <source>Show the synchronizing organization&apos;s Synchronization settings.</source>
        <translation>同期する組織の同期設定を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="53"/>
        <source>Collect facts for your helpdesk.</source>
        <translation>ヘルプデスク向けの情報を集めます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="113"/>
        <source>While this app runs, check this organization in the background and, when it is the synchronizing organization, synchronize it at the Keep me connected interval.</source>
        <translation>このアプリの実行中、この組織をバックグラウンドで確認し、同期する組織であれば [接続を維持する] の間隔で同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="121"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="833"/>
        <source>Note</source>
        <translation>注意</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="410"/>
        <location filename="../../wizard/gui/main_window.py" line="1040"/>
        <source>another organization</source>
        <translation>別の組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="421"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="219"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="226"/>
        <source>Mailbox set to another organization</source>
        <translation>メールボックスが別の組織に設定されています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="423"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="228"/>
        <source>Sync items from this organization only, even if the mailbox was set to sync with a different organization</source>
        <translation>メールボックスが別の組織と同期するように設定されていても、この組織のアイテムのみを同期する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="425"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="230"/>
        <source>Sync from this organization only</source>
        <translation>この組織からのみ同期する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="426"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="231"/>
        <source>Rewrite the mailbox&apos;s record so it synchronizes with this organization.</source>
        <translation>メールボックスの記録を書き換えて、この組織と同期するようにします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="431"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="233"/>
        <source>&amp;When would I use this?</source>
        <translation>どのような場合に使いますか?(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="433"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="235"/>
        <source>When would I use this?</source>
        <translation>どのような場合に使いますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="433"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="235"/>
        <source>Show when this option is the right choice.</source>
        <translation>このオプションを選ぶべき状況を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="436"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="238"/>
        <source>Use this option in one of these situations:
• An administrator of another organization set up the same mailbox and overwrote its record.
• The mailbox&apos;s record is in an unknown state and synchronization keeps failing.
• You were moved (migrated) from another organization to this one.</source>
        <translation>次のいずれかの状況でこのオプションを使用します:
• 別の組織の管理者が同じメールボックスを設定し、その記録を上書きした。
• メールボックスの記録の状態が不明で、同期が失敗し続ける。
• 別の組織からこの組織に移行 (移動) した。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="442"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="243"/>
        <source>When to use this option</source>
        <translation>このオプションを使う状況</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="452"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="200"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="111"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="247"/>
        <source>&amp;Details</source>
        <translation>詳細(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="454"/>
        <location filename="../../wizard/gui/dialogs.py" line="459"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="203"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="208"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="238"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="114"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="120"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="249"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="252"/>
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="454"/>
        <source>Show the plan as the engine wrote it.</source>
        <translation>エンジンが作成した計画をそのまま表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="508"/>
        <source>The mailbox on this computer is not set to synchronize with any organization yet.</source>
        <translation>このコンピューターのメールボックスは、まだどの組織とも同期するように設定されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="512"/>
        <source>The mailbox on this computer is set to synchronize with {name} (last synchronized: {when}).</source>
        <translation>このコンピューターのメールボックスは {name} と同期するように設定されています (最終同期: {when})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="549"/>
        <source>Diagnostics</source>
        <translation>診断</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="552"/>
        <source>These facts help your helpdesk. They contain no passwords or tokens.</source>
        <translation>これらの情報はヘルプデスクの役に立ちます。パスワードやトークンは含まれていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="556"/>
        <location filename="../../wizard/gui/mailbox_window.py" line="145"/>
        <source>Item</source>
        <translation>項目</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="556"/>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="565"/>
        <source>Diagnostic facts</source>
        <translation>診断情報</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="576"/>
        <source>&amp;Copy to clipboard</source>
        <translation>クリップボードにコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="577"/>
        <source>Copy to clipboard</source>
        <translation>クリップボードにコピー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="577"/>
        <source>Copy these facts as text.</source>
        <translation>これらの情報をテキストとしてコピーします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="595"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="754"/>
        <source>Save diagnostics bundle</source>
        <translation>診断バンドルの保存</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="596"/>
        <source>Zip files (*.zip)</source>
        <translation>Zip ファイル (*.zip)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="611"/>
        <source>Collecting diagnostics… (this tests each connection)</source>
        <translation>診断情報を収集しています… (各接続をテストします)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="619"/>
        <source>Saved to {path}. Send this file to your helpdesk; it contains no passwords or tokens.</source>
        <translation>{path} に保存しました。このファイルをヘルプデスクに送ってください。パスワードやトークンは含まれていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="628"/>
        <source>The diagnostics bundle was not saved</source>
        <translation>診断バンドルは保存されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="671"/>
        <source>name@contoso.com or DOMAIN\name</source>
        <translation>name@contoso.com または DOMAIN\name</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="647"/>
        <source>Verification code</source>
        <translation>確認コード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="672"/>
        <source>The code from your authenticator app, when your organization asks for one.</source>
        <translation>組織から求められた場合に、認証アプリに表示されるコードです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="649"/>
        <source>&amp;Verification code:</source>
        <translation>確認コード(&amp;V):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="677"/>
        <source>Sign-in problem</source>
        <translation>サインインの問題</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="713"/>
        <source>Device sign-in instructions</source>
        <translation>デバイス サインインの手順</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="726"/>
        <source>Device code</source>
        <translation>デバイス コード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="728"/>
        <source>&amp;Copy code</source>
        <translation>コードをコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="729"/>
        <source>Copy code</source>
        <translation>コードをコピー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="729"/>
        <source>Copy the device code to the clipboard.</source>
        <translation>デバイス コードをクリップボードにコピーします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="738"/>
        <source>On any device, open {url} and enter this code. This page continues when you have signed in.</source>
        <translation>任意のデバイスで {url} を開き、このコードを入力してください。サインインが完了すると、このページは自動的に続行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="91"/>
        <source>Configure Organizations</source>
        <translation>組織の構成</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="144"/>
        <source>These are the organizations this computer connects to. One of them synchronizes with your mailbox.</source>
        <translation>このコンピューターが接続する組織の一覧です。そのうち 1 つがメールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="147"/>
        <source>About this window</source>
        <translation>このウィンドウについて</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="94"/>
        <location filename="../../wizard/gui/main_window.py" line="95"/>
        <location filename="../../wizard/gui/main_window.py" line="174"/>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="155"/>
        <source>Credentials are not saved</source>
        <translation>資格情報は保存されません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="165"/>
        <source>Sandbox mode</source>
        <translation>サンドボックス モード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="182"/>
        <source>Synchronizing organization:</source>
        <translation>同期する組織:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/add_org_wizard.py" line="738"/>
        <location filename="../../wizard/gui/main_window.py" line="182"/>
        <location filename="../../wizard/gui/models.py" line="126"/>
        <source>Synchronizing organization</source>
        <translation>同期する組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="183"/>
        <source>Exchange mailbox synchronizes with:</source>
        <translation>Exchange メールボックスの同期先:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="184"/>
        <source>Organization that holds your Exchange mailbox</source>
        <translation>Exchange メールボックスを保持している組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="185"/>
        <source>Mailbox set to synchronize with:</source>
        <translation>メールボックスの同期先:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="185"/>
        <source>Mailbox stamp</source>
        <translation>メールボックスのスタンプ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="186"/>
        <source>Last synchronization:</source>
        <translation>最終同期:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="186"/>
        <source>Last synchronization</source>
        <translation>最終同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="199"/>
        <source>Organizations</source>
        <translation>組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="200"/>
        <source>The configured organizations. Select one to act on it.</source>
        <translation>構成済みの組織です。操作する組織を選択してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="210"/>
        <source>No organizations yet. To start, choose Add…: paste the address of your organization from your browser, or sign in to Dynamics 365 (online) to pick from the organizations you belong to.</source>
        <translation>まだ組織がありません。[追加…] を選んで始めてください。ブラウザーから組織のアドレスを貼り付けるか、Dynamics 365 (オンライン) にサインインして所属する組織から選びます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="215"/>
        <source>How to start</source>
        <translation>始め方</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="217"/>
        <source>&amp;Add an organization…</source>
        <translation>組織を追加(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="231"/>
        <source>&amp;Add…</source>
        <translation>追加(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="220"/>
        <location filename="../../wizard/gui/main_window.py" line="232"/>
        <source>Add an organization by address or by signing in to Dynamics 365 (online).</source>
        <translation>アドレスを指定するか、Dynamics 365 (オンライン) にサインインして組織を追加します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="234"/>
        <source>Remove the selected organization from this computer.</source>
        <translation>選択した組織をこのコンピューターから削除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="235"/>
        <source>&amp;Properties…</source>
        <translation>プロパティ(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="236"/>
        <source>Change the display name, saved credentials and connection options.</source>
        <translation>表示名、保存された資格情報、接続オプションを変更します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="237"/>
        <source>&amp;Test Connection</source>
        <translation>接続テスト(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="238"/>
        <source>Check each step of connecting and show how to fix a failure.</source>
        <translation>接続の各ステップを確認し、失敗した場合の解決方法を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="245"/>
        <source>Synchronize &amp;Now</source>
        <translation>今すぐ同期(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="233"/>
        <source>&amp;Remove…</source>
        <translation>削除(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="187"/>
        <source>Keep me connected:</source>
        <translation>接続を維持する:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="187"/>
        <source>Keep me connected</source>
        <translation>接続を維持する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="241"/>
        <source>Set as S&amp;ynchronizing Organization…</source>
        <translation>同期する組織に設定(&amp;Y)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="243"/>
        <source>Make the selected organization the one that synchronizes with your mailbox. You are asked first and shown what changes; nothing is synchronized yet.</source>
        <translation>選択した組織を、メールボックスと同期する組織にします。変更内容を示して先に確認します。この時点では何も同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="246"/>
        <source>Synchronize appointments, contacts and tasks between your mailbox and the synchronizing organization now. The synchronizing organization stays the same.</source>
        <translation>メールボックスと同期する組織の間で、予定、連絡先、タスクを今すぐ同期します。同期する組織は変わりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="248"/>
        <source>Synchronization &amp;Settings…</source>
        <translation>同期の設定(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="250"/>
        <source>Show the synchronizing organization&apos;s Synchronization settings, fields and filters.</source>
        <translation>同期する組織の同期設定、フィールド、フィルターを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="251"/>
        <source>&amp;Keep Me Connected…</source>
        <translation>接続を維持する(&amp;K)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="253"/>
        <source>How often, while this app runs, organizations are checked and the synchronizing organization synchronizes; which organizations are kept connected.</source>
        <translation>このアプリの実行中に組織を確認し、同期する組織を同期する間隔と、接続を維持する組織を設定します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="255"/>
        <source>Sign &amp;in…</source>
        <translation>サインイン(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="256"/>
        <source>Sign in to the selected organization again (for example after signing out).</source>
        <translation>選択した組織にもう一度サインインします (サインアウトした後など)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="257"/>
        <source>Sign &amp;out</source>
        <translation>サインアウト(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="258"/>
        <source>Sign out of the selected organization and remove its saved credentials.</source>
        <translation>選択した組織からサインアウトし、保存された資格情報を削除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="259"/>
        <source>Dia&amp;gnostics…</source>
        <translation>診断(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="260"/>
        <source>Show facts that help your helpdesk.</source>
        <translation>ヘルプデスクの役に立つ情報を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="261"/>
        <source>&amp;Refresh</source>
        <translation>最新の情報に更新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="262"/>
        <source>Reload the list and check each organization again.</source>
        <translation>一覧を再読み込みし、各組織をもう一度確認します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="67"/>
        <source>&amp;Calendar</source>
        <translation>予定表(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="67"/>
        <source>C&amp;ontacts</source>
        <translation>連絡先(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="67"/>
        <source>T&amp;asks</source>
        <translation>タスク(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="68"/>
        <source>&amp;E-mail</source>
        <translation>電子メール(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="72"/>
        <source>Account</source>
        <translation>取引先企業</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="72"/>
        <source>Opportunity</source>
        <translation>営業案件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="73"/>
        <source>Lead</source>
        <translation>潜在顧客</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="73"/>
        <source>Case</source>
        <translation>サポート案件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="145"/>
        <location filename="../../wizard/gui/mailbox_window.py" line="164"/>
        <source>Tracked</source>
        <translation>追跡中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="162"/>
        <source>(no title)</source>
        <translation>(件名なし)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="170"/>
        <source>Someone else</source>
        <translation>他のユーザー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="170"/>
        <source>You</source>
        <translation>自分</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="182"/>
        <source>Tracking an item</source>
        <translation>アイテムの追跡</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="183"/>
        <source>A tracked item is copied to the organization, where people with permission can see it. If you untrack it later, the organization&apos;s copy is deleted only if you own it.</source>
        <translation>追跡したアイテムは組織にコピーされ、権限を持つユーザーが閲覧できます。後で追跡を解除した場合、組織のコピーが削除されるのはあなたが所有者であるときだけです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="187"/>
        <source>Tracking an e-mail</source>
        <translation>電子メールの追跡</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="188"/>
        <source>To track an e-mail, its sender, recipients and subject are sent to the organization to find the records it belongs to; once it is tracked, its body is sent too.</source>
        <translation>電子メールを追跡するため、関連するレコードを探すのに差出人、宛先、件名が組織に送信されます。追跡された後は本文も送信されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="192"/>
        <source>Untracking an item someone else owns</source>
        <translation>他のユーザーが所有するアイテムの追跡解除</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="193"/>
        <source>Someone else owns the organization&apos;s copy of this item, so it stays in the organization. Only your mailbox stops being linked to it.</source>
        <translation>このアイテムの組織のコピーは他のユーザーが所有しているため、組織に残ります。あなたのメールボックスとのリンクだけが解除されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="205"/>
        <source>&amp;Don&apos;t show again</source>
        <translation>今後表示しない(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="206"/>
        <source>Don&apos;t show this notice again</source>
        <translation>この通知を今後表示しない</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="220"/>
        <source>Set Regarding</source>
        <translation>関連の設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="226"/>
        <source>&amp;Find a record:</source>
        <translation>レコードの検索(&amp;F):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="229"/>
        <source>Part of the name</source>
        <translation>名前の一部</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="230"/>
        <source>Find a record</source>
        <translation>レコードの検索</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="231"/>
        <source>Part of the name of an account, contact, opportunity, lead or case.</source>
        <translation>取引先企業、取引先担当者、営業案件、潜在顧客、サポート案件の名前の一部。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="233"/>
        <source>&amp;Search</source>
        <translation>検索(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="235"/>
        <source>Search</source>
        <translation>検索</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="246"/>
        <source>Records found</source>
        <translation>見つかったレコード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="251"/>
        <source>Set &amp;Regarding</source>
        <translation>関連を設定(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="273"/>
        <source>Searching…</source>
        <translation>検索しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="287"/>
        <source>No record matches.</source>
        <translation>一致するレコードはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="289"/>
        <source>The organization cannot be reached: these are contacts in your mailbox.</source>
        <translation>組織に接続できません。表示されているのはメールボックス内の連絡先です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="292"/>
        <source>1 record found.</source>
        <translation>1 件のレコードが見つかりました。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/mailbox_window.py" line="293"/>
        <source>%n records found.</source>
        <translation>
            <numerusform>%n 件のレコードが見つかりました。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="336"/>
        <source>Part of the title</source>
        <translation>件名の一部</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="338"/>
        <source>Search the items</source>
        <translation>アイテムの検索</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="338"/>
        <source>Shows the items whose title contains this text.</source>
        <translation>件名にこの文字列を含むアイテムを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="368"/>
        <source>&amp;Track</source>
        <translation>追跡(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="369"/>
        <source>Copy the selected items to the synchronizing organization at the next sync.</source>
        <translation>選択したアイテムを次回の同期で同期元の組織にコピーします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="370"/>
        <source>&amp;Untrack</source>
        <translation>追跡解除(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="371"/>
        <source>Stop tracking the selected items.</source>
        <translation>選択したアイテムの追跡を解除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="372"/>
        <source>Set &amp;Regarding…</source>
        <translation>関連の設定(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="373"/>
        <source>Link the selected items to an account, contact, opportunity, lead or case.</source>
        <translation>選択したアイテムを取引先企業、取引先担当者、営業案件、潜在顧客、サポート案件に関連付けます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="374"/>
        <source>C&amp;lear Regarding</source>
        <translation>関連のクリア(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="375"/>
        <source>Link the selected items to no record.</source>
        <translation>選択したアイテムの関連付けを解除します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="392"/>
        <location filename="../../wizard/gui/main_window.py" line="263"/>
        <source>&amp;Close</source>
        <translation>閉じる(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="394"/>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="436"/>
        <source>1 item</source>
        <translation>1 件のアイテム</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/mailbox_window.py" line="436"/>
        <source>%n items</source>
        <translation>
            <numerusform>%n 件のアイテム</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="264"/>
        <source>Close this window.</source>
        <translation>このウィンドウを閉じます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="277"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="298"/>
        <source>&amp;Organization</source>
        <translation>組織(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="284"/>
        <source>&amp;Synchronization</source>
        <translation>同期(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="300"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="302"/>
        <source>&amp;About</source>
        <translation>バージョン情報(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="139"/>
        <source>Loading organizations…</source>
        <translation>組織を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="445"/>
        <location filename="../../wizard/gui/main_window.py" line="447"/>
        <source>Could not start</source>
        <translation>起動できませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="446"/>
        <source>The engine could not start.</source>
        <translation>エンジンを起動できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="577"/>
        <source>Synchronizing with {name} in the background…</source>
        <extracomment>The dialogs&apos; modules. Importing one builds its Qt classes&apos; Python enums: 35 ms that the first click on Add would otherwise spend on this thread. How often the window asks the engine whether Keep me connected work is due. Asking reads only the registry file: no traffic unless the engine says an org is due.</extracomment>
        <translation>{name} とバックグラウンドで同期しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="586"/>
        <source>Synchronized with {name} in the background.</source>
        <translation>{name} とバックグラウンドで同期しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="594"/>
        <source>The background synchronization did not run: {message}</source>
        <translation>バックグラウンドの同期は実行されませんでした: {message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="618"/>
        <source>Keep me connected was saved.</source>
        <translation>[接続を維持する] の設定を保存しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="619"/>
        <source>Keep me connected was not saved</source>
        <translation>[接続を維持する] の設定は保存されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="635"/>
        <source>Sandbox mode: you are practising on the built-in sandbox tenant; nothing reaches Dynamics 365.</source>
        <translation>サンドボックス モード: 組み込みのサンドボックス テナントで練習しています。Dynamics 365 には何も送られません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="693"/>
        <source>None. Select an organization and choose Set as Synchronizing Organization.</source>
        <translation>なし。組織を選択して [同期する組織に設定] を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1158"/>
        <source>Nothing was changed; the contact addresses stay as they were.</source>
        <translation>何も変更しませんでした。連絡先の住所は元のままです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1213"/>
        <source>1 organization configured.</source>
        <translation>1 件の組織が構成されています。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/main_window.py" line="1214"/>
        <source>%n organizations configured.</source>
        <translation>
            <numerusform>%n 件の組織が構成されています。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1219"/>
        <source>{name} was added.</source>
        <translation>{name} を追加しました。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/main_window.py" line="1220"/>
        <source>%n organizations were added.</source>
        <translation>
            <numerusform>%n 件の組織を追加しました。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1225"/>
        <source>{old} was renamed to {new}.</source>
        <translation>{old} の名前を {new} に変更しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1226"/>
        <source>The properties of {name} were saved.</source>
        <translation>{name} のプロパティを保存しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="682"/>
        <source>Not read yet</source>
        <translation>まだ読み取っていません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="289"/>
        <source>&amp;Mailbox…</source>
        <translation>メールボックス(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="292"/>
        <source>Show the mailbox&apos;s items: track them, untrack them and set what they are regarding.</source>
        <translation>メールボックスのアイテムを表示します。追跡、追跡解除、関連の設定ができます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="686"/>
        <source>(not every organization could be read)</source>
        <translation>(読み取れなかった組織があります)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="689"/>
        <source>None of your organizations</source>
        <translation>あなたの組織のいずれでもありません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="691"/>
        <source>Unknown: not every organization could be read</source>
        <translation>不明: 読み取れなかった組織があります</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="697"/>
        <source>No organization yet</source>
        <translation>まだ組織はありません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="701"/>
        <source>Never</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="722"/>
        <source>Do you want to remove {name} from this computer?</source>
        <translation>{name} をこのコンピューターから削除しますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="726"/>
        <source>&amp;Remove</source>
        <translation>削除(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="729"/>
        <source>Its saved credentials and sign-in are deleted too. The organization itself is not changed.</source>
        <translation>保存された資格情報とサインイン情報も削除されます。組織自体は変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="731"/>
        <source>It is your synchronizing organization: afterwards no organization synchronizes until you choose one.</source>
        <translation>これは同期する組織です。削除後は、新たに選択するまでどの組織も同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="749"/>
        <source>{name} was removed.</source>
        <translation>{name} を削除しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="812"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="68"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="184"/>
        <source>Reading your mailbox records in the organizations…</source>
        <translation>各組織のメールボックス レコードを読み取っています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="835"/>
        <source>{name} is now your synchronizing organization.</source>
        <translation>{name} が同期する組織になりました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="837"/>
        <source>The switch to {name} is not finished.</source>
        <translation>{name} への切り替えは完了していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="843"/>
        <source>The synchronizing organization was not changed</source>
        <translation>同期する組織は変更されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="854"/>
        <location filename="../../wizard/gui/main_window.py" line="863"/>
        <location filename="../../wizard/gui/main_window.py" line="875"/>
        <source>Finish the switch</source>
        <translation>切り替えの完了</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="855"/>
        <source>A switch of your synchronizing organization to {name} is not finished.</source>
        <translation>同期する組織の {name} への切り替えが完了していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="859"/>
        <source>Finish it now? Every organization&apos;s mailbox record is read again first, and only what is still to do is changed.</source>
        <translation>今すぐ完了しますか? まず各組織のメールボックス レコードを読み直し、残っている変更だけを行います。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="876"/>
        <source>Finishing the switch of your synchronizing organization…</source>
        <translation>同期する組織の切り替えを完了しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="889"/>
        <source>The switch was not finished</source>
        <translation>切り替えは完了しませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="904"/>
        <source>There are no other organizations.</source>
        <translation>ほかの組織はありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="905"/>
        <source>Set None in the other organizations</source>
        <translation>ほかの組織を「なし」にする</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="913"/>
        <source>The other organizations were not changed</source>
        <translation>ほかの組織は変更されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="40"/>
        <source>Sign in to {name}</source>
        <translation>{name} にサインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="46"/>
        <source>Sign in to {name} again. Nothing else about the organization changes.</source>
        <translation>{name} にもう一度サインインします。組織のほかの設定は変わりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="49"/>
        <source>About this dialog</source>
        <translation>このダイアログについて</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="56"/>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="57"/>
        <source>Address:</source>
        <translation>アドレス:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="74"/>
        <source>The code from your authenticator app, if asked.</source>
        <translation>求められた場合は、認証アプリのコード。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="158"/>
        <source>Enter your user name and password.</source>
        <translation>ユーザー名とパスワードを入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="169"/>
        <source>Signing in…</source>
        <translation>サインインしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/reauth_dialog.py" line="201"/>
        <source>Signed in. Testing the connection…</source>
        <translation>サインインしました。接続をテストしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="970"/>
        <source>Signed out of {name}.</source>
        <translation>{name} からサインアウトしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="972"/>
        <source>Sign in to use this organization.</source>
        <translation>この組織を使用するにはサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1014"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="170"/>
        <source>Synchronized with {name}.</source>
        <translation>{name} と同期しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1071"/>
        <source>The synchronization settings could not be read</source>
        <translation>同期の設定を読み込めませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1093"/>
        <source>Looking for the calendar, task list and address book…</source>
        <translation>カレンダー、タスク リスト、アドレス帳を探しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1115"/>
        <source>The mailbox was chosen, but the first synchronization did not run: {message}</source>
        <translation>メールボックスは選択されましたが、最初の同期は実行されませんでした: {message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1119"/>
        <source>The mailbox was changed.</source>
        <translation>メールボックスを変更しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1136"/>
        <source>The settings were not changed</source>
        <translation>設定は変更されませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1140"/>
        <source>The synchronization settings were saved. They take effect at the next synchronization.</source>
        <translation>同期の設定を保存しました。次回の同期から有効になります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="378"/>
        <source>Nothing was changed.</source>
        <translation>何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1162"/>
        <source>Contact addresses were switched. Backup: {path}</source>
        <translation>取引先担当者の住所を切り替えました。バックアップ: {path}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1197"/>
        <source>About</source>
        <translation>バージョン情報</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1197"/>
        <source>d365-wizard {version}
Configure Dynamics 365 organizations and the one that synchronizes with your mailbox.</source>
        <translation>d365-wizard {version}
Dynamics 365 の組織と、メールボックスと同期する組織を構成します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="27"/>
        <source>Not checked</source>
        <translation>未確認</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="28"/>
        <source>Checking…</source>
        <translation>確認中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="29"/>
        <source>Connected</source>
        <translation>接続済み</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="30"/>
        <source>Needs sign-in</source>
        <translation>サインインが必要</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="31"/>
        <source>MFA needed</source>
        <translation>多要素認証が必要</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="32"/>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/app.py" line="100"/>
        <source>d365-wizard cannot start</source>
        <translation>d365-wizard を起動できません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/app.py" line="101"/>
        <location filename="../../wizard/gui/models.py" line="33"/>
        <location filename="../../wizard/gui/widgets.py" line="198"/>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="69"/>
        <source>Internet-facing (IFD)</source>
        <translation>インターネット接続 (IFD)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="114"/>
        <source>Synchronizing</source>
        <extracomment>Status comes right after the name so that it shows at the window&apos;s default size; the address, the longest, is last and takes what is left.</extracomment>
        <translation>同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="115"/>
        <location filename="../../wizard/gui/models.py" line="198"/>
        <source>Unique name</source>
        <translation>一意の名前</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="115"/>
        <location filename="../../wizard/gui/models.py" line="198"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="115"/>
        <source>Cloud / region</source>
        <translation>クラウド / リージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="114"/>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="42"/>
        <source>North America</source>
        <translation>北米</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="42"/>
        <source>South America</source>
        <translation>南米</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="42"/>
        <source>Canada</source>
        <translation>カナダ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="43"/>
        <source>Europe</source>
        <translation>ヨーロッパ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="43"/>
        <source>Asia Pacific</source>
        <translation>アジア太平洋</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="43"/>
        <source>Australia</source>
        <translation>オーストラリア</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="43"/>
        <source>Japan</source>
        <translation>日本</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="44"/>
        <source>India</source>
        <translation>インド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="44"/>
        <source>United Kingdom</source>
        <translation>英国</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="44"/>
        <source>France</source>
        <translation>フランス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="45"/>
        <source>South Africa</source>
        <translation>南アフリカ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="45"/>
        <source>United Arab Emirates</source>
        <translation>アラブ首長国連邦</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="45"/>
        <source>Germany</source>
        <translation>ドイツ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="46"/>
        <source>Switzerland</source>
        <translation>スイス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="46"/>
        <source>Norway</source>
        <translation>ノルウェー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="46"/>
        <source>Singapore</source>
        <translation>シンガポール</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="46"/>
        <source>Korea</source>
        <translation>韓国</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="47"/>
        <source>Sweden</source>
        <translation>スウェーデン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="55"/>
        <source>{name} ({code})</source>
        <translation>{name} ({code})</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="59"/>
        <source>Commercial</source>
        <translation>商用</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="59"/>
        <source>GCC</source>
        <translation>GCC</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="59"/>
        <source>GCC High</source>
        <translation>GCC High</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="60"/>
        <source>DoD</source>
        <translation>DoD</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="60"/>
        <source>China</source>
        <translation>中国</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="60"/>
        <source>Sandbox</source>
        <translation>サンドボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="71"/>
        <source> / </source>
        <translation> / </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="126"/>
        <source>Not synchronizing</source>
        <translation>同期していません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="127"/>
        <source>✔ Yes</source>
        <translation>✔ はい</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="198"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="724"/>
        <source>Organization</source>
        <translation>組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="198"/>
        <source>Region</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="198"/>
        <source>Version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="208"/>
        <source>{name} (disabled)</source>
        <translation>{name} (無効)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="211"/>
        <source>This organization is disabled and cannot be added.</source>
        <translation>この組織は無効になっているため追加できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="248"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="198"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="241"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="109"/>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="248"/>
        <source>Step</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="314"/>
        <source>Organization field</source>
        <translation>組織のフィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="23"/>
        <source>First name</source>
        <translation>名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="23"/>
        <source>Middle name</source>
        <translation>ミドル ネーム</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="23"/>
        <source>Last name</source>
        <translation>姓</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="24"/>
        <source>Full name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="24"/>
        <source>Title</source>
        <translation>敬称</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="24"/>
        <source>Job title</source>
        <translation>役職</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="25"/>
        <source>Company</source>
        <translation>会社</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="25"/>
        <source>Department</source>
        <translation>部署</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="25"/>
        <location filename="../../wizard/gui/fields.py" line="102"/>
        <source>E-mail</source>
        <translation>電子メール</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="26"/>
        <source>E-mail 2</source>
        <translation>電子メール 2</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="26"/>
        <source>E-mail 3</source>
        <translation>電子メール 3</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="26"/>
        <source>Business phone</source>
        <translation>勤務先電話</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="27"/>
        <source>Business phone 2</source>
        <translation>勤務先電話 2</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="27"/>
        <source>Home phone</source>
        <translation>自宅電話</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="28"/>
        <source>Mobile phone</source>
        <translation>携帯電話</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="28"/>
        <source>Other phone</source>
        <translation>その他の電話</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="29"/>
        <source>Business fax</source>
        <translation>勤務先 FAX</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="29"/>
        <source>Web page</source>
        <translation>Web ページ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="29"/>
        <source>Birthday</source>
        <translation>誕生日</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="30"/>
        <location filename="../../wizard/gui/fields.py" line="52"/>
        <location filename="../../wizard/gui/fields.py" line="63"/>
        <source>Notes</source>
        <translation>メモ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="30"/>
        <source>Mailing address</source>
        <translation>郵送先住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="38"/>
        <source>Business address</source>
        <translation>勤務先住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="38"/>
        <source>Home address</source>
        <translation>自宅住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="39"/>
        <source>Other address</source>
        <translation>その他の住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="40"/>
        <source>street</source>
        <translation>番地</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="40"/>
        <source>street 2</source>
        <translation>番地 2</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="40"/>
        <source>street 3</source>
        <translation>番地 3</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="41"/>
        <source>city</source>
        <translation>市区町村</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="41"/>
        <source>state/province</source>
        <translation>都道府県</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="41"/>
        <source>postal code</source>
        <translation>郵便番号</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="42"/>
        <source>country/region</source>
        <translation>国/地域</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="45"/>
        <source>{address}: {part}</source>
        <translation>{address}: {part}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="51"/>
        <location filename="../../wizard/gui/fields.py" line="60"/>
        <location filename="../../wizard/gui/fields.py" line="67"/>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="51"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="51"/>
        <source>End</source>
        <translation>終了</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="51"/>
        <source>All day</source>
        <translation>終日</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="52"/>
        <source>Location</source>
        <translation>場所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="52"/>
        <source>Importance</source>
        <translation>重要度</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="53"/>
        <source>Required attendees</source>
        <translation>必須出席者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="54"/>
        <source>Optional attendees</source>
        <translation>任意出席者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="54"/>
        <source>Organizer</source>
        <translation>開催者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="55"/>
        <source>Recurrence</source>
        <translation>定期的なパターン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="55"/>
        <source>Show as</source>
        <translation>予定の公開方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="56"/>
        <source>Attachments</source>
        <translation>添付ファイル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="56"/>
        <source>Service activity</source>
        <translation>サービス活動</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="57"/>
        <location filename="../../wizard/gui/fields.py" line="102"/>
        <source>Resource booking</source>
        <translation>リソース予約</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="57"/>
        <location filename="../../wizard/gui/fields.py" line="64"/>
        <location filename="../../wizard/gui/fields.py" line="69"/>
        <location filename="../../wizard/gui/mailbox_window.py" line="145"/>
        <source>Regarding</source>
        <translation>関連</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="60"/>
        <source>Start date</source>
        <translation>開始日</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="60"/>
        <source>Due date</source>
        <translation>期限</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="61"/>
        <source>Date completed</source>
        <translation>完了日</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="61"/>
        <source>Priority</source>
        <translation>優先度</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="62"/>
        <source>% complete</source>
        <translation>進捗率 (%)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="62"/>
        <source>Actual work</source>
        <translation>実働時間</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="63"/>
        <location filename="../../wizard/gui/mailbox_window.py" line="145"/>
        <source>Owner</source>
        <translation>所有者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="63"/>
        <source>Assigned to</source>
        <translation>担当者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="67"/>
        <source>From</source>
        <translation>差出人</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="67"/>
        <source>To</source>
        <translation>宛先</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="67"/>
        <source>Cc</source>
        <translation>CC</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="68"/>
        <location filename="../../wizard/gui/models.py" line="248"/>
        <source>Message</source>
        <translation>メッセージ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="68"/>
        <source>Received</source>
        <translation>受信日時</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="101"/>
        <source>Appointment</source>
        <translation>予定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="101"/>
        <source>Task</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="108"/>
        <source>Added to your mailbox</source>
        <translation>メールボックスに追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="108"/>
        <source>Changed in your mailbox</source>
        <translation>メールボックスで変更</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="109"/>
        <source>Removed from your mailbox</source>
        <translation>メールボックスから削除</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="110"/>
        <source>Added to the organization</source>
        <translation>組織に追加</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="110"/>
        <source>Changed in the organization</source>
        <translation>組織で変更</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="111"/>
        <source>Removed from the organization</source>
        <translation>組織から削除</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="111"/>
        <source>No longer synchronized</source>
        <translation>同期対象外になりました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="112"/>
        <source>Left out</source>
        <translation>対象外</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="112"/>
        <location filename="../../wizard/gui/mailbox_window.py" line="164"/>
        <source>Not tracked</source>
        <translation>追跡しません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="124"/>
        <source>deleted in your mailbox but changed in the organization, so it was restored</source>
        <translation>メールボックスで削除されましたが組織で変更されたため、復元しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="125"/>
        <source>deleted in your mailbox; you own it</source>
        <translation>メールボックスで削除されました。所有者はあなたです</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="127"/>
        <source>deleted in your mailbox; someone else owns it, so the organization&apos;s copy stays</source>
        <translation>メールボックスで削除されました。所有者が他のユーザーのため、組織のコピーは残ります</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="128"/>
        <source>no longer tracked; already gone from the organization</source>
        <translation>追跡しなくなりました。組織からはすでに削除されています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="130"/>
        <source>no longer tracked; you own it, so the organization&apos;s copy is deleted</source>
        <translation>追跡しなくなりました。所有者はあなたのため、組織のコピーを削除します</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="132"/>
        <source>no longer tracked; someone else owns it, so the organization&apos;s copy stays</source>
        <translation>追跡しなくなりました。所有者が他のユーザーのため、組織のコピーは残ります</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="133"/>
        <source>deleted in the organization</source>
        <translation>組織で削除されました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="135"/>
        <source>deleted in the organization; your copy is kept and no longer tracked</source>
        <translation>組織で削除されました。あなたのコピーは残り、追跡しなくなります</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="137"/>
        <source>no longer matches your synchronization filters (the organization&apos;s record stays)</source>
        <translation>同期フィルターに一致しなくなりました (組織のレコードは残ります)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="139"/>
        <source>its organization record was deleted before the first synchronization finished</source>
        <translation>最初の同期が終わる前に組織のレコードが削除されました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="141"/>
        <source>no longer tracked before its first synchronization finished</source>
        <translation>最初の同期が終わる前に追跡しなくなりました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="142"/>
        <source>tracked in your mailbox</source>
        <translation>メールボックスで追跡されています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="143"/>
        <source>matches your synchronization filters</source>
        <translation>同期フィルターに一致します</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="144"/>
        <source>changed in your mailbox</source>
        <translation>メールボックスで変更されました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="145"/>
        <source>changed in the organization</source>
        <translation>組織で変更されました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="146"/>
        <source>resource bookings no longer synchronize</source>
        <translation>リソース予約は同期しなくなりました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="148"/>
        <source>nothing in the organization matches its sender or recipients</source>
        <translation>差出人または受信者に一致するものが組織にありません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="159"/>
        <source>Your mailbox now synchronizes with {org} instead of {previous}; items from {previous} are kept but no longer tracked.</source>
        <translation>メールボックスは {previous} ではなく {org} と同期するようになりました。{previous} のアイテムは残りますが、追跡されなくなります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="162"/>
        <source>Your mailbox now synchronizes with {org} instead of the previous synchronizing organization; its items are kept but no longer tracked.</source>
        <translation>メールボックスは以前の同期組織ではなく {org} と同期するようになりました。以前の組織のアイテムは残りますが、追跡されなくなります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="165"/>
        <source>To decide whether an e-mail can be tracked, only its sender, recipients and subject are sent to the organization. The rest of the message is sent only once it is tracked.</source>
        <translation>電子メールを追跡できるかどうかを判断するため、差出人、受信者、件名だけを組織に送信します。メッセージの残りは、追跡されてから送信されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="176"/>
        <source>{step}: {kind} “{title}”</source>
        <translation>{step}: {kind}「{title}」</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="179"/>
        <source>({fields})</source>
        <translation>({fields})</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="181"/>
        <source> — {reason}</source>
        <translation> — {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="188"/>
        <source>the organization&apos;s value was kept</source>
        <translation>組織の値を残しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="189"/>
        <source>your mailbox&apos;s value was kept</source>
        <translation>メールボックスの値を残しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="190"/>
        <source>{kind} {field}: your mailbox “{mailbox}”, the organization “{org}”; {winner}</source>
        <translation>{kind} の {field}: メールボックス「{mailbox}」、組織「{org}」。{winner}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="248"/>
        <source>How to fix it</source>
        <translation>解決方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="254"/>
        <source>Running…</source>
        <translation>実行中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="254"/>
        <source>Passed</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="255"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="255"/>
        <source>Skipped</source>
        <translation>スキップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="256"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="256"/>
        <source>Waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="302"/>
        <source>Not synchronized</source>
        <translation>同期しない</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="302"/>
        <source>To the mailbox</source>
        <translation>メールボックスへ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="303"/>
        <source>To the organization</source>
        <translation>組織へ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="303"/>
        <source>Both ways</source>
        <translation>双方向</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="715"/>
        <source>Field</source>
        <translation>フィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="314"/>
        <source>Mailbox field</source>
        <extracomment>labels only: the internal field names (``first_name``, ``firstname``) are never shown</extracomment>
        <translation>メールボックスのフィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/models.py" line="314"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="120"/>
        <source>Credentials cannot be saved: this computer has no secure keyring (such as GNOME Keyring or KWallet). You will be asked for your password each time.</source>
        <extracomment>Room a window manager takes around a dialog (title bar, frame) and for a panel; a dialog is never taller than its screen&apos;s available height less this.</extracomment>
        <translation>資格情報を保存できません: このコンピューターには安全なキーリング (GNOME Keyring や KWallet など) がありません。毎回パスワードを尋ねられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="145"/>
        <source>Error code: {code}</source>
        <translation>エラー コード: {code}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="178"/>
        <source>Something went wrong</source>
        <translation>問題が発生しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="267"/>
        <source>Steps</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="267"/>
        <source>Each step of the connection with its result and how to fix a failure.</source>
        <translation>接続の各ステップとその結果、失敗した場合の解決方法です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="75"/>
        <source>Organization address</source>
        <translation>組織のアドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="75"/>
        <source>Name lookup (DNS)</source>
        <translation>名前解決 (DNS)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="76"/>
        <source>Network connection</source>
        <translation>ネットワーク接続</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="76"/>
        <source>Secure connection (TLS certificate)</source>
        <translation>セキュリティで保護された接続 (TLS 証明書)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="77"/>
        <source>Proxy</source>
        <translation>プロキシ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="77"/>
        <source>Sign-in</source>
        <translation>サインイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="78"/>
        <source>Access to the organization (WhoAmI)</source>
        <translation>組織へのアクセス (WhoAmI)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="78"/>
        <source>Dynamics 365 version</source>
        <translation>Dynamics 365 のバージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="79"/>
        <source>Sync-to-Outlook privilege</source>
        <translation>Outlook への同期特権</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="79"/>
        <source>Mailbox synchronization method</source>
        <translation>メールボックスの同期方法</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="80"/>
        <source>Local mailbox stamp</source>
        <translation>ローカル メールボックスのスタンプ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="80"/>
        <source>Exchange mailbox</source>
        <translation>Exchange メールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="81"/>
        <source>Switch of the synchronizing organization</source>
        <translation>同期する組織の切り替え</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="333"/>
        <source>Sign in again: this computer has no secure keyring, so your credentials and sign-in cannot be kept between sessions.</source>
        <extracomment>What signing in, discovering and connecting import (msal, keyring, requests and the engine parts on them), loaded ahead by :meth:`warm_up`.</extracomment>
        <translation>もう一度サインインしてください: このコンピューターには安全なキーリングがないため、資格情報とサインインをセッション間で保持できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="481"/>
        <source>Step: {step}</source>
        <extracomment>How long a browser sign-in may take before it ends with a message (seconds).</extracomment>
        <translation>ステップ: {step}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/services.py" line="811"/>
        <source>{step}: %n more</source>
        <translation>
            <numerusform>{step}: ほか %n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="814"/>
        <source>Not sent: {what}</source>
        <translation>未送信: {what}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="815"/>
        <source>Conflict: {what}</source>
        <translation>競合: {what}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/services.py" line="819"/>
        <source>Note: {what}</source>
        <translation>注意: {what}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="842"/>
        <source>The sign-in page failed.</source>
        <translation>サインイン ページでエラーが発生しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="752"/>
        <source>Try again.</source>
        <translation>もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="852"/>
        <source>Your organization requires multi-factor authentication.</source>
        <translation>組織では多要素認証が必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="854"/>
        <source>Enter the verification code from your authenticator app.</source>
        <translation>認証アプリに表示される確認コードを入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="856"/>
        <source>The verification code was not accepted.</source>
        <translation>確認コードが受け付けられませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="858"/>
        <source>Check the code and try again.</source>
        <translation>コードを確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="838"/>
        <source>The user name or password is not correct.</source>
        <translation>ユーザー名またはパスワードが正しくありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="8"/>
        <source>The {what} could not be read as {format}: {reason}</source>
        <translation>{what} を {format} として読み取れませんでした: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="10"/>
        <source>Fix or remove that item in your calendar or address book program.</source>
        <translation>予定表またはアドレス帳のプログラムで、その項目を修正するか削除してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="28"/>
        <source>The cloud file {path} contains “{field}”, which looks like a password, secret or token. Cloud files never carry secrets (d365-wizard signs in as a public client), so it was not used.</source>
        <translation>クラウド ファイル {path} に、パスワード、シークレット、またはトークンと思われる「{field}」が含まれています。クラウド ファイルにシークレットを含めることはありません (d365-wizard はパブリック クライアントとしてサインインします) ので、このファイルは使用されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="30"/>
        <source>Remove it from the file; credentials are entered when signing in and saved only in the OS keyring.</source>
        <translation>ファイルから削除してください。資格情報はサインイン時に入力し、OS のキーリングにのみ保存されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="240"/>
        <source>{source}, org {index} has unknown keys {keys}.</source>
        <translation>{source} の組織 {index} に不明なキーがあります: {keys}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="242"/>
        <source>{source}, org {index} has an unknown key {keys}.</source>
        <translation>{source} の組織 {index} に不明なキーがあります: {keys}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="288"/>
        <source>{source} has unknown settings {keys}.</source>
        <translation>{source} に不明な設定があります: {keys}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="290"/>
        <source>{source} has an unknown setting {keys}.</source>
        <translation>{source} に不明な設定があります: {keys}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="300"/>
        <source>{What} {path} is busy: another d365-wizard process kept it locked.</source>
        <translation>{What} {path} は使用中です: 別の d365-wizard のプロセスがロックしています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="302"/>
        <source>Close other d365-wizard windows or commands and try again.</source>
        <translation>ほかの d365-wizard のウィンドウやコマンドを閉じて、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="304"/>
        <source>{What} {path} is damaged and cannot be read ({reason}).</source>
        <translation>{What} {path} は破損していて読み取れません ({reason})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="306"/>
        <source>Close d365-wizard, restore the file from a backup, or move it away to start with an empty one (items from the organization are downloaded again at the next synchronization; items that were only on this computer are lost). Send the file to your helpdesk if you need it recovered.</source>
        <translation>d365-wizard を閉じ、バックアップからファイルを復元するか、ファイルを移動して空の状態から始めてください (組織の項目は次回の同期で再びダウンロードされます。このコンピューターにしかなかった項目は失われます)。復旧が必要な場合は、ファイルをヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="308"/>
        <source>There is no space left on the disk (or your disk quota is used up), so {what} {path} could not be written.</source>
        <translation>ディスクの空き容量がない (またはディスク クォータを使い切った) ため、{what} {path} を書き込めませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="310"/>
        <source>Free some disk space (or ask IT to raise the quota) and try again. Nothing was changed.</source>
        <translation>ディスクの空き容量を増やして (または IT 部門にクォータの引き上げを依頼して)、もう一度お試しください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="314"/>
        <source>{What} {path} does not exist.</source>
        <translation>{What} {path} は存在しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="316"/>
        <source>Check the path.</source>
        <translation>パスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="318"/>
        <source>Could not {verb} {what} {path}: {reason}.</source>
        <translation>{what} {path} を {verb} できませんでした: {reason}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="320"/>
        <source>Check the file and try again.</source>
        <translation>ファイルを確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="322"/>
        <source>{What} {path} is larger than {limit}, so it is not {what} d365-wizard can use.</source>
        <translation>{What} {path} は {limit} を超えているため、d365-wizard が使用できる {what} ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="324"/>
        <source>Check that you gave the right file.</source>
        <translation>正しいファイルを指定したか確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="326"/>
        <source>{What} {path} is not valid JSON: {reason}.</source>
        <translation>{What} {path} は有効な JSON ではありません: {reason}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="328"/>
        <source>Check it with a JSON validator and correct it.</source>
        <translation>JSON 検証ツールで確認して修正してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="330"/>
        <source>{What} {path} is nested more than {limit} levels deep, far more than any file d365-wizard reads.</source>
        <translation>{What} {path} は {limit} 階層を超えて入れ子になっており、d365-wizard が読むどのファイルよりもはるかに深くなっています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="332"/>
        <source>The file name {path} is too long for the file system.</source>
        <translation>ファイル名 {path} はファイル システムには長すぎます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="334"/>
        <source>Choose a shorter name.</source>
        <translation>もっと短い名前を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="336"/>
        <source>{path} is a file, not a folder, so d365-wizard cannot keep its files there.</source>
        <translation>{path} はフォルダーではなくファイルなので、d365-wizard はそこにファイルを保存できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="338"/>
        <source>Give a folder with --home DIR (or D365_WIZARD_HOME), or move that file away.</source>
        <translation>--home DIR (または D365_WIZARD_HOME) でフォルダーを指定するか、そのファイルを移動してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="340"/>
        <source>{path} is {found}, not a regular file, so it cannot be used as {what}.</source>
        <translation>{path} は通常のファイルではなく {found} なので、{what} として使用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="342"/>
        <source>Give the path of an ordinary file.</source>
        <translation>通常のファイルのパスを指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="344"/>
        <source>{What} {path} is not UTF-8 text (the byte at position {offset} is not valid).</source>
        <translation>{What} {path} は UTF-8 のテキストではありません (位置 {offset} のバイトが無効です)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="346"/>
        <source>Save the file as UTF-8 text and try again.</source>
        <translation>ファイルを UTF-8 のテキストとして保存して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="348"/>
        <source>{path} is a folder where d365-wizard expects {what}.</source>
        <translation>{path} はフォルダーですが、d365-wizard はそこに {what} があるものとしています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="350"/>
        <source>Move that folder away (d365-wizard keeps a file there) and try again; nothing was changed.</source>
        <translation>そのフォルダーを移動して (d365-wizard はそこにファイルを置きます)、もう一度お試しください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="352"/>
        <source>You do not have permission to {verb} {path}.</source>
        <translation>{path} を {verb} するアクセス許可がありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="354"/>
        <source>Check who owns the file or folder and its permissions, or use another folder (--home DIR or the D365_WIZARD_HOME setting).</source>
        <translation>ファイルまたはフォルダーの所有者とアクセス許可を確認するか、別のフォルダーを使用してください (--home DIR または D365_WIZARD_HOME の設定)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="356"/>
        <source>{path} cannot be written: the disk or folder is read-only.</source>
        <translation>{path} に書き込めません: ディスクまたはフォルダーが読み取り専用です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="358"/>
        <source>Use a folder you can write to (--home DIR or the D365_WIZARD_HOME setting), or ask IT why your home folder is read-only.</source>
        <translation>書き込みできるフォルダーを使用する (--home DIR または D365_WIZARD_HOME の設定) か、ホーム フォルダーが読み取り専用である理由を IT 部門に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="360"/>
        <source>{path} is a symbolic link; d365-wizard does not read or write its own files through links.</source>
        <translation>{path} はシンボリック リンクです。d365-wizard は自身のファイルをリンク経由で読み書きしません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="362"/>
        <source>Replace the link with the file it points to (or remove it) and try again; nothing was changed.</source>
        <translation>リンクを、リンク先のファイルに置き換える (または削除する) して、もう一度お試しください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="400"/>
        <source>{host} is limiting requests and asked to wait {minutes} minutes before trying again.</source>
        <translation>{host} は要求を制限しており、再試行まで {minutes} 分待つよう求めています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="402"/>
        <source>{host} is limiting requests and asked to wait 1 minute before trying again.</source>
        <translation>{host} は要求を制限しており、再試行まで 1 分待つよう求めています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="440"/>
        <source>The {kind} field “{field}” cannot hold {value}: it must be {expected}.</source>
        <translation>{kind} のフィールド「{field}」には {value} を格納できません: {expected} である必要があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="442"/>
        <source>Nothing was stored. Give a value of that kind{hint}.</source>
        <translation>何も保存されていません。その種類の値を指定してください{hint}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="448"/>
        <source>A {kind} has no field “{field}”.</source>
        <translation>{kind} にはフィールド「{field}」がありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="450"/>
        <source>Nothing was stored. The fields of a {kind} are: {known}.</source>
        <translation>何も保存されていません。{kind} のフィールドは次のとおりです: {known}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="558"/>
        <source>Unknown organization fields: {fields}.</source>
        <translation>不明な組織のフィールド: {fields}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="560"/>
        <source>Unknown organization field: {fields}.</source>
        <translation>不明な組織のフィールド: {fields}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="586"/>
        <source>Server-side synchronization in {org} cannot start yet: your e-mail address {email} is “{state}”, not approved.</source>
        <translation>{org} のサーバー側同期はまだ開始できません: 電子メール アドレス {email} は承認されておらず、「{state}」です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="588"/>
        <source>This is an administrator&apos;s step, not a fault of this computer: an administrator of {org} approves the address (Approve Email in your mailbox record); then switch again or run Test &amp; Enable.</source>
        <translation>これは管理者が行う手順で、このコンピューターの問題ではありません: {org} の管理者がアドレスを承認します (メールボックス レコードの [電子メールの承認])。その後、もう一度切り替えるか、Test &amp; Enableを実行してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="590"/>
        <source>Test &amp; Enable in {org} failed: your Exchange mailbox is configured with another organization.</source>
        <translation>{org} のTest &amp; Enableに失敗しました: Exchange メールボックスは別の組織に構成されています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="592"/>
        <source>If {org} should synchronize, switch to it again with the option “Sync items with Exchange from this org only, even if Exchange was set to sync with a different org”; the other organizations are set to None.</source>
        <translation>{org} で同期する場合は、オプション「Exchange が別の組織と同期するように設定されている場合でも、この組織のアイテムのみを Exchange と同期する」を選んで、もう一度切り替えてください。ほかの組織は [なし] に設定されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="594"/>
        <source>{org} holds your Exchange mailbox, but it is not your synchronizing organization.</source>
        <translation>{org} が Exchange メールボックスを保持していますが、同期する組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="596"/>
        <source>Switch again to the organization that should synchronize, with the option “Sync items with Exchange from this org only, even if Exchange was set to sync with a different org”.</source>
        <translation>オプション「Exchange が別の組織と同期するように設定されている場合でも、この組織のアイテムのみを Exchange と同期する」を選んで、同期するべき組織にもう一度切り替えてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="598"/>
        <source>{org} did not accept your sign-in, so your mailbox record there was not read or changed.</source>
        <translation>{org} がサインインを受け付けなかったため、そこのメールボックス レコードは読み取りも変更もされていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="600"/>
        <source>Sign in to {org} again; the switch is finished afterwards.</source>
        <translation>{org} にもう一度サインインしてください。その後、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="602"/>
        <source>Test &amp; Enable in {org} failed: {error}</source>
        <translation>{org} のTest &amp; Enableに失敗しました: {error}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="606"/>
        <source>Open the mailbox record&apos;s alerts in {org} (Settings &gt; Email &gt; Mailboxes) or send the details to your administrator.</source>
        <translation>{org} でメールボックス レコードの警告を開く ([設定] &gt; [電子メール] &gt; [メールボックス]) か、詳細を管理者に送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="608"/>
        <source>Test &amp; Enable in {org} has not run yet (waited {seconds} seconds).</source>
        <translation>{org} のTest &amp; Enableはまだ実行されていません ({seconds} 秒待機しました)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="610"/>
        <source>Dynamics 365 runs it in the background, which can take several minutes. Check the mailbox status later.</source>
        <translation>Dynamics 365 はこれをバックグラウンドで実行するため、数分かかることがあります。後でメールボックスの状態を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="612"/>
        <source>{org} could not be reached: {reason}</source>
        <translation>{org} に接続できませんでした: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="614"/>
        <source>Check the network connection (and VPN); the switch is finished when {org} can be reached again.</source>
        <translation>ネットワーク接続 (および VPN) を確認してください。{org} に再び接続できるようになると、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="616"/>
        <source>You may not change your mailbox record in {org} (HTTP 403: missing privilege).</source>
        <translation>{org} のメールボックス レコードを変更する権限がありません (HTTP 403: 特権がありません)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="618"/>
        <source>An administrator of {org} must either add the privilege to change mailbox records (Mailbox: Write, Core Records tab of a security role) to one of your roles, or make the change in your mailbox record themselves (Settings &gt; Email &gt; Mailboxes): {what}</source>
        <translation>{org} の管理者が、メールボックス レコードを変更する特権 (セキュリティ ロールの [コア レコード] タブの [メールボックス: 書き込み]) をあなたのロールのいずれかに追加するか、メールボックス レコードを自分で変更する必要があります ([設定] &gt; [電子メール] &gt; [メールボックス]): {what}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="624"/>
        <source>Choose it again as the synchronizing organization with the method you want: that sets its mailbox record.</source>
        <translation>希望する方法で、その組織をもう一度同期する組織として選んでください。それによってメールボックス レコードが設定されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="626"/>
        <source>{org} has not been connected yet, so your mailbox record there cannot be read.</source>
        <translation>{org} にはまだ接続していないため、そこのメールボックス レコードを読み取れません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="628"/>
        <source>Connect to it once (test the connection or sign in); the switch is finished afterwards.</source>
        <translation>一度接続してください (接続をテストするかサインインします)。その後、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="634"/>
        <source>Choose it again as the synchronizing organization with the option “Sync items with Exchange from this org only, even if Exchange was set to sync with a different org”.</source>
        <translation>オプション「Exchange が別の組織と同期するように設定されている場合でも、この組織のアイテムのみを Exchange と同期する」を選んで、もう一度同期する組織として選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="636"/>
        <source>Your mailbox record in {org} is set to {method}, so Test &amp; Enable would not synchronize appointments, contacts and tasks there.</source>
        <translation>{org} のメールボックス レコードは {method} に設定されているため、Test &amp; Enableを行っても、そこでは予定、取引先担当者、タスクは同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="638"/>
        <source>Switch to {org} with the method Server-side synchronization instead.</source>
        <translation>代わりに、サーバー側同期の方法で {org} に切り替えてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="640"/>
        <source>{org} is your synchronizing organization, but its mailbox record says None for appointments, contacts and tasks, so nothing synchronizes them.</source>
        <translation>{org} は同期する組織ですが、メールボックス レコードでは予定、取引先担当者、タスクが [なし] になっているため、それらは何も同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="642"/>
        <source>Choose it again as the synchronizing organization: that sets the method in its mailbox record (and runs Test &amp; Enable for server-side synchronization).</source>
        <translation>もう一度同期する組織として選んでください。それによってメールボックス レコードの方法が設定されます (サーバー側同期の場合はTest &amp; Enableも実行されます)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="644"/>
        <source>The switch to {org} had to be undone because a mailbox record changed, but {orgs} could not be set back yet.</source>
        <translation>メールボックス レコードが変更されたため {org} への切り替えを元に戻す必要がありましたが、{orgs} はまだ元に戻せていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="646"/>
        <source>The change is undone when the organizations can be reached again.</source>
        <translation>組織に再び接続できるようになると、変更は元に戻されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="648"/>
        <source>{org} refused the change of your mailbox record: {reason}</source>
        <translation>{org} はメールボックス レコードの変更を拒否しました: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="650"/>
        <source>Try again later; if it keeps happening, send the details to your helpdesk.</source>
        <translation>後でもう一度お試しください。繰り返し発生する場合は、詳細をヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="652"/>
        <source>{org} synchronizes appointments, contacts and tasks through its server-side synchronization with your Exchange mailbox, so this computer does not synchronize them.</source>
        <translation>{org} はサーバー側同期によって予定、取引先担当者、タスクを Exchange メールボックスと同期しているため、このコンピューターでは同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="654"/>
        <source>To synchronize them on this computer instead, switch to {org} again and choose the synchronization method This computer.</source>
        <translation>代わりにこのコンピューターで同期するには、もう一度 {org} に切り替えて、同期方法として [このコンピューター] を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="656"/>
        <source>{org} is not your synchronizing organization, but its mailbox record still says {method}: its server-side synchronization could take your Exchange mailbox (for example when an administrator runs Test &amp; Enable there).</source>
        <translation>{org} は同期する組織ではありませんが、メールボックス レコードはまだ {method} です: そのサーバー側同期が Exchange メールボックスを使用する可能性があります (たとえば、管理者がそこでTest &amp; Enableを実行した場合)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="658"/>
        <source>Set the method to None in the other organizations, as Microsoft advises for every organization that is not the primary one.</source>
        <translation>Microsoft がプライマリ以外のすべての組織に推奨しているとおり、ほかの組織では方法を [なし] に設定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="662"/>
        <source>Fix what each organization&apos;s message says, then finish the switch; until then more than one organization may synchronize with your Exchange mailbox.</source>
        <translation>各組織のメッセージに従って問題を解決してから、切り替えを完了してください。それまでは、複数の組織が Exchange メールボックスと同期する可能性があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="664"/>
        <source>An earlier switch to {org} is not finished: {what}</source>
        <translation>以前の {org} への切り替えが完了していません: {what}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="666"/>
        <source>Finish the switch; it reads every mailbox record again first.</source>
        <translation>切り替えを完了してください。最初にすべてのメールボックス レコードが読み直されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="668"/>
        <source>Your mailbox record in {org} was changed by someone else after the plan was shown, so the switch was not carried out.</source>
        <translation>計画が表示された後に {org} のメールボックス レコードがほかの人によって変更されたため、切り替えは実行されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="552"/>
        <source>Nothing was changed. Review the new plan and confirm again.</source>
        <translation>何も変更されていません。新しい計画を確認して、もう一度確定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="42"/>
        <source>{org} let us in without signing in, which a Dynamics 365 organization never does.</source>
        <translation>{org} はサインインなしでアクセスを許可しました。Dynamics 365 の組織がそのように動作することはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="44"/>
        <source>Check the address.</source>
        <translation>アドレスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="46"/>
        <source>No organization registry is available.</source>
        <translation>組織の登録情報を利用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="48"/>
        <source>{org} does not look like a Dynamics 365 organization (HTTP {status} and no sign-in request).</source>
        <translation>{org} は Dynamics 365 の組織ではないようです (HTTP {status}、サインインの要求なし)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="50"/>
        <source>Check the address; paste it from the browser while the org is open.</source>
        <translation>アドレスを確認してください。組織を開いている間にブラウザーから貼り付けてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="52"/>
        <source>The organization {org} is disabled.</source>
        <translation>組織 {org} は無効になっています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="54"/>
        <source>Ask your administrator to enable it.</source>
        <translation>管理者に有効にするよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="56"/>
        <source>The password cannot be saved: no secure keyring is available.</source>
        <translation>パスワードを保存できません: 安全なキーリングを利用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="58"/>
        <source>Add the org without saving the password; you will be asked for it when connecting.</source>
        <translation>パスワードを保存せずに組織を追加してください。接続するときにパスワードを尋ねられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="60"/>
        <source>Sign in without saving the password; you will be asked for it when connecting.</source>
        <translation>パスワードを保存せずにサインインしてください。接続するときにパスワードを尋ねられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="62"/>
        <source>{org} uses Windows authentication: a user name and password are needed.</source>
        <translation>{org} は Windows 認証を使用しています: ユーザー名とパスワードが必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="64"/>
        <source>Enter your Windows user name (DOMAIN\user) and password.</source>
        <translation>Windows のユーザー名 (DOMAIN\user) とパスワードを入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="170"/>
        <source>Your account has no access to {org} (HTTP 403).</source>
        <translation>あなたのアカウントには {org} へのアクセス権がありません (HTTP 403)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="172"/>
        <source>Ask your Dynamics 365 administrator to add you to this organization with a security role.</source>
        <translation>Dynamics 365 の管理者に、セキュリティ ロール付きでこの組織に追加するよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="174"/>
        <source>{org} had a problem answering (HTTP {status}).</source>
        <translation>{org} の応答中に問題が発生しました (HTTP {status})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="176"/>
        <source>Try again later. If it keeps happening, send the details to your administrator.</source>
        <translation>後でもう一度お試しください。繰り返し発生する場合は、詳細を管理者に送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="178"/>
        <source>{org} answered &apos;not found&apos; (HTTP 404).</source>
        <translation>{org} は「見つかりません」と応答しました (HTTP 404)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="180"/>
        <source>Check the organization address; the org may have been renamed, moved or deleted.</source>
        <translation>組織のアドレスを確認してください。組織の名前が変更されたか、移動または削除された可能性があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="182"/>
        <source>{org} answered &apos;not found&apos; (HTTP 404). {server_message}</source>
        <translation>{org} は「見つかりません」と応答しました (HTTP 404)。{server_message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="184"/>
        <source>The organization did not say which record it created.</source>
        <translation>組織は、作成したレコードを示しませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="186"/>
        <source>{org} answered with something that is not Dataverse JSON.</source>
        <translation>{org} は Dataverse の JSON ではない内容で応答しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="188"/>
        <source>Check that the address is a Dynamics 365 organization and not a sign-in or proxy page.</source>
        <translation>アドレスが Dynamics 365 の組織のもので、サインイン ページやプロキシのページではないことを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="190"/>
        <source>Ask your Dynamics 365 administrator to enable it, or choose another organization.</source>
        <translation>Dynamics 365 の管理者に有効にするよう依頼するか、別の組織を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="192"/>
        <source>The organization {org} is not available.</source>
        <translation>組織 {org} は利用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="194"/>
        <source>It may be disabled or being updated; ask your administrator.</source>
        <translation>無効になっているか、更新中の可能性があります。管理者に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="196"/>
        <source>The record was changed by someone else since it was read.</source>
        <translation>読み取った後に、レコードがほかの人によって変更されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="198"/>
        <source>Reload and try again.</source>
        <translation>読み込み直して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="200"/>
        <source>{org} refused the request (HTTP {status}).</source>
        <translation>{org} は要求を拒否しました (HTTP {status})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="202"/>
        <source>{server_message}</source>
        <translation>{server_message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="204"/>
        <source>{org} did not accept the sign-in (HTTP 401), and it could not be renewed: {cause}</source>
        <translation>{org} はサインインを受け付けず (HTTP 401)、サインインを更新することもできませんでした: {cause}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="206"/>
        <source>{org} did not accept the sign-in (HTTP 401).</source>
        <translation>{org} はサインインを受け付けませんでした (HTTP 401)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="210"/>
        <source>{org} is limiting requests from your account (HTTP 429).</source>
        <translation>{org} はあなたのアカウントからの要求を制限しています (HTTP 429)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="212"/>
        <source>Wait a few minutes and try again.</source>
        <translation>数分待ってから、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="214"/>
        <source>Unexpected Web API answer.</source>
        <translation>Web API から予期しない応答がありました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="216"/>
        <source>{source}: &quot;keep_connected_minutes&quot; must be a whole number of minutes from {low} to {high}, not {value}.</source>
        <translation>{source}: &quot;keep_connected_minutes&quot; は {low} から {high} までの整数 (分) でなければなりません ({value} は使えません)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="218"/>
        <source>{source}, org {index}: &quot;cloud&quot; is “{cloud}” but the cloud file defines “{defined}”.</source>
        <translation>{source} の組織 {index}: &quot;cloud&quot; は「{cloud}」ですが、クラウド ファイルでは「{defined}」が定義されています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="32"/>
        <source>{cause}</source>
        <translation>{cause}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="12"/>
        <source>{source}: &apos;authority&apos; must be an https:// URL.</source>
        <translation>{source}: &apos;authority&apos; は https:// の URL でなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="14"/>
        <source>Sign-in only works over HTTPS.</source>
        <translation>サインインは HTTPS でのみ機能します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="16"/>
        <source>{source}: &apos;ca_bundle&apos; must be a file path.</source>
        <translation>{source}: &apos;ca_bundle&apos; はファイルのパスでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="18"/>
        <source>{source}: the field &apos;{field}&apos; is missing or empty.</source>
        <translation>{source}: フィールド &apos;{field}&apos; がないか、空です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="20"/>
        <source>Ask your administrator for a corrected cloud file.</source>
        <translation>修正したクラウド ファイルを管理者に依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="22"/>
        <source>The cloud file {path} does not exist.</source>
        <translation>クラウド ファイル {path} が存在しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="24"/>
        <source>Check the path given to --cloud-file.</source>
        <translation>--cloud-file で指定したパスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="26"/>
        <source>The cloud file {path} must hold a JSON object.</source>
        <translation>クラウド ファイル {path} には JSON オブジェクトが必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="34"/>
        <source>{source}: &apos;org_domains&apos; must be a list of host suffixes.</source>
        <translation>{source}: &apos;org_domains&apos; はホストのサフィックスの一覧でなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="36"/>
        <source>{source}: &apos;org_hosts&apos; must map host[:port] to details.</source>
        <translation>{source}: &apos;org_hosts&apos; は host[:port] を詳細に対応付けるマッピングでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="38"/>
        <source>Unknown cloud &apos;{name}&apos;.</source>
        <translation>不明なクラウド &apos;{name}&apos; です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="40"/>
        <source>Use one of: {choices}, or give --cloud-file.</source>
        <translation>{choices} のいずれかを使用するか、--cloud-file を指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="66"/>
        <source>Checked through the proxy in the next step.</source>
        <translation>次の手順でプロキシ経由で確認します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="68"/>
        <source>{host} is at {addresses}.</source>
        <translation>{host} のアドレスは {addresses} です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="70"/>
        <source>{host} (the proxy server) is at {addresses}.</source>
        <translation>{host} (プロキシ サーバー) のアドレスは {addresses} です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="72"/>
        <source>This organization does not hold your Exchange mailbox.</source>
        <translation>この組織はあなたの Exchange メールボックスを保持していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="74"/>
        <source>Not checked because an earlier step failed.</source>
        <translation>前の手順が失敗したため、確認していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="76"/>
        <source>This organization holds your Exchange mailbox: its server-side synchronization synchronizes appointments, contacts and tasks with it.</source>
        <translation>この組織はあなたの Exchange メールボックスを保持しています: その組織のサーバー側同期が予定、取引先担当者、タスクをメールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="78"/>
        <source>Your security role does not include the “Sync to Outlook” privilege, so appointments, contacts and tasks cannot synchronize.</source>
        <translation>あなたのセキュリティ ロールには「Outlook と同期」特権が含まれていないため、予定、取引先担当者、タスクを同期できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="80"/>
        <source>Ask your Dynamics 365 administrator to add the Sync to Outlook privilege (Business Management tab) to one of your security roles.</source>
        <translation>Dynamics 365 の管理者に、あなたのセキュリティ ロールのいずれかに「Outlook と同期」特権 ([業務管理] タブ) を追加するよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="82"/>
        <source>Appointments, contacts and tasks: {method} (Test &amp; Enable: {status}).</source>
        <translation>予定、取引先担当者、タスク: {method} (Test &amp; Enable: {status})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="84"/>
        <source>No mailbox record was found for your user in this organization.</source>
        <translation>この組織にはあなたのユーザーのメールボックス レコードが見つかりませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="86"/>
        <source>Ask your administrator to check your user&apos;s mailbox record.</source>
        <translation>ユーザーのメールボックス レコードを確認するよう管理者に依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="88"/>
        <source>The mailbox record was not read.</source>
        <translation>メールボックス レコードを読み取っていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="90"/>
        <source>The mailbox is marked as synchronizing with another organization ({org}), so this org will not synchronize.</source>
        <translation>メールボックスは別の組織 ({org}) と同期するよう設定されているため、この組織は同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="92"/>
        <source>If this org should synchronize, make it the synchronizing org with the option “Sync items from this org only, even if the mailbox was set to sync with a different org”.</source>
        <translation>この組織で同期する場合は、「メールボックスが別の組織と同期するよう設定されていても、この組織からのみアイテムを同期する」オプションを付けて、この組織を同期組織にしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="94"/>
        <source>The name of {host} could not be found (DNS).</source>
        <translation>{host} の名前が見つかりませんでした (DNS)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="96"/>
        <source>The name of the proxy server {host} could not be found (DNS).</source>
        <translation>プロキシ サーバー {host} の名前が見つかりませんでした (DNS)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="98"/>
        <source>Check the address for typos and your network connection (and VPN for on-premises servers).</source>
        <translation>アドレスに入力ミスがないか、ネットワーク接続 (オンプレミスのサーバーでは VPN も) を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="100"/>
        <source>No local mailbox store.</source>
        <translation>ローカルのメールボックス ストアがありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="102"/>
        <source>No organization list.</source>
        <translation>組織の一覧がありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="104"/>
        <source>No switch of the synchronizing organization is waiting to be finished.</source>
        <translation>完了待ちの同期組織の切り替えはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="106"/>
        <source>The organization uses plain HTTP (no encryption). Ask your administrator to enable HTTPS.</source>
        <translation>この組織は暗号化されていない HTTP を使用しています。HTTPS を有効にするよう管理者に依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="108"/>
        <source>You have the Sync to Outlook privilege.</source>
        <translation>「Outlook と同期」特権があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="110"/>
        <source>The proxy {proxy} lets the connection through.</source>
        <translation>プロキシ {proxy} は接続を通します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="112"/>
        <source>No proxy: the organization is reached directly.</source>
        <translation>プロキシなし: 組織に直接接続します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="114"/>
        <source>Signed in as {user} with {auth_method}.</source>
        <translation>{auth_method} で {user} としてサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="116"/>
        <source>Signed in as you with {auth_method}.</source>
        <translation>{auth_method} でサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="118"/>
        <source>Signed in as {user} with Windows authentication.</source>
        <translation>Windows 認証で {user} としてサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="120"/>
        <source>Signed in as you with Windows authentication.</source>
        <translation>Windows 認証でサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="122"/>
        <source>Signed in as {user} with AD FS.</source>
        <translation>AD FS で {user} としてサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="124"/>
        <source>Signed in as you with AD FS.</source>
        <translation>AD FS でサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="126"/>
        <source>Signed in as {user} with Microsoft Entra ID.</source>
        <translation>Microsoft Entra ID で {user} としてサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="128"/>
        <source>Signed in as you with Microsoft Entra ID.</source>
        <translation>Microsoft Entra ID でサインインしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="130"/>
        <source>The mailbox synchronizes with {org}; this organization does not synchronize.</source>
        <translation>メールボックスは {org} と同期しています。この組織は同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="132"/>
        <source>The mailbox synchronizes with this organization (last sync {last_sync}).</source>
        <translation>メールボックスはこの組織と同期しています (最終同期 {last_sync})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="134"/>
        <source>The mailbox synchronizes with this organization (last sync never).</source>
        <translation>メールボックスはこの組織と同期しています (まだ同期していません)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="136"/>
        <source>The mailbox is not claimed by any organization yet.</source>
        <translation>メールボックスはまだどの組織にも割り当てられていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="138"/>
        <source>Could not connect to {host} port {port}.</source>
        <translation>{host} のポート {port} に接続できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="140"/>
        <source>Could not connect to the proxy server {host} port {port}.</source>
        <translation>プロキシ サーバー {host} のポート {port} に接続できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="142"/>
        <source>The server may be down, or a firewall blocks the port. Check the address and port, or ask IT.</source>
        <translation>サーバーが停止しているか、ファイアウォールがポートをブロックしている可能性があります。アドレスとポートを確認するか、IT 部門に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="144"/>
        <source>Connected to {host} port {port}.</source>
        <translation>{host} のポート {port} に接続しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="146"/>
        <source>{tls_version}, certificate issued by {issuer}.</source>
        <translation>{tls_version}、証明書の発行者は {issuer} です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="148"/>
        <source>{tls_version}, certificate issued by a trusted authority.</source>
        <translation>{tls_version}、証明書は信頼された証明機関が発行しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="150"/>
        <source>{org} is an online organization.</source>
        <translation>{org} はオンラインの組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="152"/>
        <source>{org} is an online organization in the {cloud} cloud.</source>
        <translation>{org} は {cloud} クラウドのオンラインの組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="154"/>
        <source>{org} is an on-premises organization.</source>
        <translation>{org} はオンプレミスの組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="156"/>
        <source>{org} is an on-premises organization in the {cloud} cloud.</source>
        <translation>{org} は {cloud} クラウドのオンプレミスの組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="158"/>
        <source>{org} is an internet-facing (IFD) organization.</source>
        <translation>{org} はインターネット接続 (IFD) の組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="160"/>
        <source>{org} is an internet-facing (IFD) organization in the {cloud} cloud.</source>
        <translation>{org} は {cloud} クラウドのインターネット接続 (IFD) の組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="162"/>
        <source>Version {version}.</source>
        <translation>バージョン {version}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="164"/>
        <source>Version {version} is too old for d365-wizard.</source>
        <translation>バージョン {version} は d365-wizard には古すぎます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="166"/>
        <source>Dynamics CRM 2016 (8.x) or later is needed.</source>
        <translation>Dynamics CRM 2016 (8.x) 以降が必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="168"/>
        <source>The organization knows you (user id {user_id}).</source>
        <translation>組織はあなたを認識しています (ユーザー ID {user_id})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="220"/>
        <source>{source}, org {index}: &quot;org_id&quot; “{org_id}” is not an organization ID.</source>
        <translation>{source} の組織 {index}: &quot;org_id&quot; の「{org_id}」は組織 ID ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="222"/>
        <source>An organization ID looks like 6f3c2a51-0b1e-4c2d-9a7b-1c2d3e4f5a6b; nothing was applied.</source>
        <translation>組織 ID は 6f3c2a51-0b1e-4c2d-9a7b-1c2d3e4f5a6b のような形式です。何も適用されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="224"/>
        <source>{source}, org {index}: {cause}</source>
        <translation>{source} の組織 {index}: {cause}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="226"/>
        <source>{source}, org {index}: The cloud file {path} contains “{field}”, which looks like a password, secret or token. Cloud files never carry secrets (d365-wizard signs in as a public client), so it was not used. Nothing was applied.</source>
        <translation>{source} の組織 {index}: クラウド ファイル {path} にパスワード、シークレット、またはトークンと思われる「{field}」が含まれています。クラウド ファイルにシークレットが含まれることはないため (d365-wizard はパブリック クライアントとしてサインインします)、このファイルは使用されませんでした。何も適用されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="228"/>
        <source>{source}, org {index}: the cloud file could not be used: {cause}</source>
        <translation>{source} の組織 {index}: クラウド ファイルを使用できませんでした: {cause}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="230"/>
        <source>{source}, org {index}: &quot;{key}&quot; contains a control character (a line break or tab).</source>
        <translation>{source} の組織 {index}: &quot;{key}&quot; に制御文字 (改行またはタブ) が含まれています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="232"/>
        <source>Nothing was applied.</source>
        <translation>何も適用されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="234"/>
        <source>{source}, org {index}: &quot;{key}&quot; must be true or false.</source>
        <translation>{source} の組織 {index}: &quot;{key}&quot; は true または false でなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="236"/>
        <source>{source}, org {index} must be an object such as {{&quot;url&quot;: &quot;https://contoso.crm.dynamics.com&quot;}}.</source>
        <translation>{source} の組織 {index} は {{&quot;url&quot;: &quot;https://contoso.crm.dynamics.com&quot;}} のようなオブジェクトでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="238"/>
        <source>{source}, org {index}: &quot;{key}&quot; must be non-empty text.</source>
        <translation>{source} の組織 {index}: &quot;{key}&quot; は空でないテキストでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="244"/>
        <source>Allowed: {allowed}.</source>
        <translation>使用できるキー: {allowed}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="246"/>
        <source>{source}, org {index} needs a &quot;url&quot;, or a &quot;unique_name&quot; and a &quot;cloud&quot; to find the org by discovery after sign-in.</source>
        <translation>{source} の組織 {index} には &quot;url&quot;、またはサインイン後に探索で組織を見つけるための &quot;unique_name&quot; と &quot;cloud&quot; が必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="248"/>
        <source>{source} uses deployment format {version}; this version of d365-wizard reads format {supported}.</source>
        <translation>{source} は展開形式 {version} を使用していますが、このバージョンの d365-wizard が読み取れるのは形式 {supported} です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="250"/>
        <source>Update d365-wizard on this machine.</source>
        <translation>このコンピューターの d365-wizard を更新してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="252"/>
        <source>{source} needs an &quot;orgs&quot; list (it may be empty).</source>
        <translation>{source} には &quot;orgs&quot; の一覧が必要です (空でもかまいません)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="254"/>
        <source>{source} has no &quot;schema_version&quot; (use 1).</source>
        <translation>{source} に &quot;schema_version&quot; がありません (1 を指定してください)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="256"/>
        <source>{source} must hold a JSON object with &quot;schema_version&quot; and &quot;orgs&quot;.</source>
        <translation>{source} には &quot;schema_version&quot; と &quot;orgs&quot; を持つ JSON オブジェクトが必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="258"/>
        <source>{source} was not applied: {cause}</source>
        <translation>{source} は適用されませんでした: {cause}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="260"/>
        <source>Correct the file; nothing was changed.</source>
        <translation>ファイルを修正してください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="262"/>
        <source>{source}: &quot;replace&quot; must be true or false.</source>
        <translation>{source}: &quot;replace&quot; は true または false でなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="264"/>
        <source>{source} lists the same org twice: {first} and {second}.</source>
        <translation>{source} に同じ組織が 2 回記載されています: {first} と {second}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="266"/>
        <source>Remove one of them.</source>
        <translation>どちらか一方を削除してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="268"/>
        <source>{source} contains “{path}”, which looks like a password or token. Deployment files never carry secrets; nothing was applied.</source>
        <translation>{source} にパスワードまたはトークンと思われる「{path}」が含まれています。展開ファイルにシークレットが含まれることはありません。何も適用されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="270"/>
        <source>Remove it: users sign in on first use, and saved credentials live only in each user&apos;s OS keyring.</source>
        <translation>それを削除してください。ユーザーは初回使用時にサインインし、保存された資格情報は各ユーザーの OS キーリングにのみ保管されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="272"/>
        <source>{source} contains a value at “{path}” that looks like a token or a password in an address. Deployment files never carry secrets; nothing was applied.</source>
        <translation>{source} の「{path}」に、トークンまたはアドレス内のパスワードと思われる値が含まれています。展開ファイルにシークレットが含まれることはありません。何も適用されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="274"/>
        <source>Remove it: users sign in on first use.</source>
        <translation>それを削除してください。ユーザーは初回使用時にサインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="276"/>
        <source>{source} marks {count} orgs as primary ({labels}); only one org synchronizes with the mailbox.</source>
        <translation>{source} では {count} 個の組織がプライマリに指定されています ({labels})。メールボックスと同期する組織は 1 つだけです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="278"/>
        <source>Set &quot;primary&quot;: true on one org only.</source>
        <translation>&quot;primary&quot;: true は 1 つの組織だけに設定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="280"/>
        <source>{source}: {first} and {second} both describe the organization “{org}” already in the list.</source>
        <translation>{source}: {first} と {second} はどちらも、すでに一覧にある組織「{org}」を表しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="282"/>
        <source>Remove one of the two entries; nothing was changed.</source>
        <translation>2 つのエントリのどちらかを削除してください。何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="284"/>
        <source>{source}, org {index}: unknown cloud “{cloud}”.</source>
        <translation>{source} の組織 {index}: 不明なクラウド「{cloud}」です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="286"/>
        <source>Use one of {choices}, or give a &quot;cloud_file&quot;.</source>
        <translation>{choices} のいずれかを使用するか、&quot;cloud_file&quot; を指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="292"/>
        <source>Allowed at the top level: {allowed}.</source>
        <translation>最上位で使用できる設定: {allowed}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="294"/>
        <source>{source}, org {index}: {url} is in the “{url_cloud}” cloud, not “{cloud}”.</source>
        <translation>{source} の組織 {index}: {url} は「{cloud}」ではなく「{url_cloud}」クラウドにあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="296"/>
        <source>{source} is a “{kind}” file, not a deployment file.</source>
        <translation>{source} は「{kind}」ファイルで、展開ファイルではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="298"/>
        <source>The discovery service answered with something unexpected.</source>
        <translation>探索サービスから予期しない応答がありました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="312"/>
        <source>Check the disk (it may be full, failing or disconnected) and try again.</source>
        <translation>ディスクを確認してから (いっぱいになっている、故障している、または接続が切れている可能性があります)、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="364"/>
        <source>The CA bundle {path} does not exist.</source>
        <translation>CA バンドル {path} が存在しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="366"/>
        <source>Check the path given to --ca-bundle or in the cloud file.</source>
        <translation>--ca-bundle またはクラウド ファイルで指定したパスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="368"/>
        <source>The CA bundle {path} could not be read as PEM certificates.</source>
        <translation>CA バンドル {path} を PEM 形式の証明書として読み取れませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="370"/>
        <source>Export the CA certificate in PEM (Base-64) format.</source>
        <translation>CA 証明書を PEM (Base-64) 形式でエクスポートしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="372"/>
        <source>The CA folder {path} could not be read.</source>
        <translation>CA フォルダー {path} を読み取れませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="374"/>
        <source>Give a PEM file with --ca-bundle.</source>
        <translation>--ca-bundle で PEM ファイルを指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="376"/>
        <source>Cancelled.</source>
        <translation>キャンセルしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="380"/>
        <source>The connection to {host} was interrupted.</source>
        <translation>{host} への接続が中断されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="382"/>
        <source>Check your network connection and try again.</source>
        <translation>ネットワーク接続を確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="384"/>
        <source>Could not connect to {host}: the connection was refused.</source>
        <translation>{host} に接続できませんでした: 接続が拒否されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="386"/>
        <source>Check the address and port; the server may be down or a firewall may block it.</source>
        <translation>アドレスとポートを確認してください。サーバーが停止しているか、ファイアウォールが接続をブロックしている可能性があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="388"/>
        <source>The name {host} could not be found (DNS).</source>
        <translation>名前 {host} が見つかりませんでした (DNS)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="390"/>
        <source>Check the address for typos and that you are connected to the network (and to the VPN for an on-premises server).</source>
        <translation>アドレスに入力ミスがないこと、ネットワークに接続していること (オンプレミスのサーバーの場合は VPN にも接続していること) を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="392"/>
        <source>The proxy server{where} asks for a user name and password (HTTP 407).</source>
        <translation>プロキシ サーバー{where}がユーザー名とパスワードを求めています (HTTP 407)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="394"/>
        <source>Put the proxy credentials in the HTTPS_PROXY setting (https://user:password@proxy:port) or ask your IT department to let d365-wizard through the proxy without sign-in.</source>
        <translation>プロキシの資格情報を HTTPS_PROXY の設定 (https://user:password@proxy:port) に指定するか、d365-wizard がサインインなしでプロキシを通過できるよう IT 部門に依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="396"/>
        <source>The proxy server refused or failed the connection to {host}.</source>
        <translation>プロキシ サーバーが {host} への接続を拒否したか、接続に失敗しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="398"/>
        <source>Check the proxy settings (HTTPS_PROXY, system proxy) or ask IT.</source>
        <translation>プロキシの設定 (HTTPS_PROXY、システムのプロキシ) を確認するか、IT 部門に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="404"/>
        <source>Wait that long and try again, or ask your administrator whether another tool is using your account heavily.</source>
        <translation>その時間だけ待ってからもう一度お試しいただくか、ほかのツールがあなたのアカウントを大量に使用していないか管理者に確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="406"/>
        <source>{host} did not answer in time.</source>
        <translation>{host} から時間内に応答がありませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="408"/>
        <source>Check your network connection and try again; a firewall may be blocking the connection.</source>
        <translation>ネットワーク接続を確認して、もう一度お試しください。ファイアウォールが接続をブロックしている可能性があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="410"/>
        <source>The certificate of {host} is expired.</source>
        <translation>{host} の証明書は有効期限が切れています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="412"/>
        <source>Check that this computer&apos;s date and time are right; if they are, tell the server&apos;s administrator (the certificate must be renewed).</source>
        <translation>このコンピューターの日付と時刻が正しいことを確認してください。正しい場合は、サーバーの管理者に連絡してください (証明書の更新が必要です)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="414"/>
        <source>A secure connection to {host} could not be set up.</source>
        <translation>{host} への安全な接続を確立できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="416"/>
        <source>Check the address and port (the server may not offer HTTPS there); a proxy that inspects HTTPS can also cause this: ask IT.</source>
        <translation>アドレスとポートを確認してください (サーバーがそこで HTTPS を提供していない可能性があります)。HTTPS を検査するプロキシが原因の場合もあります。IT 部門に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="418"/>
        <source>The secure connection to {host} is intercepted: its certificate was not issued by a public certificate authority. A company proxy or security software that inspects HTTPS is between this computer and the server.</source>
        <translation>{host} への安全な接続が傍受されています: 証明書が公的な証明機関によって発行されていません。HTTPS を検査する社内のプロキシまたはセキュリティ ソフトウェアが、このコンピューターとサーバーの間にあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="420"/>
        <source>Ask IT for that CA certificate and add it with --ca-bundle FILE (or to the system certificate store); never turn certificate checks off.</source>
        <translation>その CA 証明書を IT 部門から入手し、--ca-bundle FILE で (またはシステムの証明書ストアに) 追加してください。証明書の検証は決して無効にしないでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="422"/>
        <source>The secure connection to {host} is intercepted: its certificate was not issued by a public certificate authority. It was issued by “{issuer}”. A company proxy or security software that inspects HTTPS is between this computer and the server.</source>
        <translation>{host} への安全な接続が傍受されています: 証明書が公的な証明機関によって発行されていません。発行者は「{issuer}」です。HTTPS を検査する社内のプロキシまたはセキュリティ ソフトウェアが、このコンピューターとサーバーの間にあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="424"/>
        <source>The certificate of {host} is not valid yet.</source>
        <translation>{host} の証明書はまだ有効になっていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="426"/>
        <source>The certificate of {host} was revoked by its issuer.</source>
        <translation>{host} の証明書は発行者によって失効されています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="428"/>
        <source>Tell the server&apos;s administrator; do not connect meanwhile.</source>
        <translation>サーバーの管理者に連絡してください。それまでは接続しないでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="430"/>
        <source>The certificate of {host} is not trusted: its issuer is unknown to this computer.</source>
        <translation>{host} の証明書は信頼されていません: このコンピューターはその発行者を知りません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="432"/>
        <source>If that issuer is your company&apos;s proxy or firewall, ask IT for its CA certificate and add it with --ca-bundle FILE (or to the system certificate store). Otherwise check the address.</source>
        <translation>その発行者が社内のプロキシまたはファイアウォールである場合は、IT 部門から CA 証明書を入手し、--ca-bundle FILE で (またはシステムの証明書ストアに) 追加してください。そうでない場合は、アドレスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="434"/>
        <source>The certificate of {host} is not trusted: its issuer is unknown to this computer. It was issued by “{issuer}”.</source>
        <translation>{host} の証明書は信頼されていません: このコンピューターはその発行者を知りません。発行者は「{issuer}」です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="436"/>
        <source>The certificate of {host} is for another address, so the connection was refused.</source>
        <translation>{host} の証明書は別のアドレス用のものであるため、接続は拒否されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="438"/>
        <source>Check the address (use the organization&apos;s own name, not an IP address or an alias); if it is right, tell the server&apos;s administrator.</source>
        <translation>アドレスを確認してください (IP アドレスや別名ではなく、組織自体の名前を使ってください)。正しい場合は、サーバーの管理者に連絡してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="444"/>
        <source>An item&apos;s content must be a set of fields.</source>
        <translation>アイテムの内容はフィールドの集まりでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="446"/>
        <source>Nothing was stored.</source>
        <translation>何も保存されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="452"/>
        <source>The Keep me connected interval must be a whole number of minutes from {low} to {high}; “{value}” is not.</source>
        <translation>[接続を維持する] の間隔は {low} から {high} までの整数 (分) でなければなりません。「{value}」は使えません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="454"/>
        <source>Choose a number of minutes from {low} to {high}, for example 15.</source>
        <translation>{low} から {high} までの分数を選んでください (例: 15)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="456"/>
        <source>The &apos;{folder}&apos; folder cannot be exported.</source>
        <translation>&apos;{folder}&apos; フォルダーはエクスポートできません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="458"/>
        <source>Choose calendar, contacts or tasks.</source>
        <translation>calendar、contacts、tasks のいずれかを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="460"/>
        <source>&apos;{ref}&apos; matches {count} mailbox items.</source>
        <translation>&apos;{ref}&apos; は {count} 個のメールボックス アイテムに一致します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="462"/>
        <source>Mailbox item {local_id} changed while synchronizing; it is picked up by the next sync.</source>
        <translation>メールボックス アイテム {local_id} は同期中に変更されました。次回の同期で反映されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="464"/>
        <source>No mailbox item &apos;{ref}&apos;.</source>
        <translation>メールボックス アイテム &apos;{ref}&apos; はありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="466"/>
        <source>Look the item ids up in the mailbox list.</source>
        <translation>メールボックスの一覧でアイテム ID を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="468"/>
        <source>The local mailbox {path} was written by a newer d365-wizard (item format {found}).</source>
        <translation>ローカル メールボックス {path} は新しいバージョンの d365-wizard で書き込まれています (アイテム形式 {found})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="470"/>
        <source>Update d365-wizard.</source>
        <translation>d365-wizard を更新してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="472"/>
        <source>Unknown item type &apos;{kind}&apos;.</source>
        <translation>不明なアイテムの種類 &apos;{kind}&apos; です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="474"/>
        <source>Use one of: {choices}.</source>
        <translation>{choices} のいずれかを使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="476"/>
        <source>“{ref}” matches more than one organization: {matches}.</source>
        <translation>「{ref}」は複数の組織に一致します: {matches}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="478"/>
        <source>Use the number or the unique name instead.</source>
        <translation>代わりに番号または一意の名前を使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="480"/>
        <source>The change was not made: {reason}.</source>
        <translation>変更は行われませんでした: {reason}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="482"/>
        <source>The organization name cannot be empty.</source>
        <translation>組織名を空にすることはできません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="484"/>
        <source>Type a name, for example “Contoso Sales”.</source>
        <translation>名前を入力してください (例: 「Contoso Sales」)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="486"/>
        <source>The organization name contains a tab, line break or other invisible control character.</source>
        <translation>組織名にタブ、改行、またはその他の見えない制御文字が含まれています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="488"/>
        <source>Type the name again on one line.</source>
        <translation>名前を 1 行で入力し直してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="490"/>
        <source>The organization name must be text.</source>
        <translation>組織名はテキストでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="492"/>
        <source>The organization name cannot be only digits (“{name}”): numbers select organizations by their position in the list.</source>
        <translation>組織名を数字だけにすることはできません (「{name}」)。数字は一覧内の位置で組織を選ぶために使われます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="494"/>
        <source>Add a word, for example “Org {name}”.</source>
        <translation>語を追加してください (例: 「Org {name}」)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="496"/>
        <source>Another organization is already called “{name}”.</source>
        <translation>「{name}」という名前の組織がすでにあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="498"/>
        <source>Choose a different name; names must differ in more than upper/lower case.</source>
        <translation>別の名前を選んでください。名前は大文字と小文字の違い以外でも異なっている必要があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="500"/>
        <source>The organization name is {length} characters long; the limit is {limit}.</source>
        <translation>組織名の長さは {length} 文字です。上限は {limit} 文字です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="502"/>
        <source>{org} already has that organization ID or address.</source>
        <translation>{org} にはすでにその組織 ID またはアドレスがあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="504"/>
        <source>Remove one of the two entries first.</source>
        <translation>先に 2 つのエントリのどちらかを削除してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="506"/>
        <source>The profile&apos;s extra settings must be a mapping.</source>
        <translation>プロファイルの追加設定はマッピングでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="508"/>
        <source>{fields} cannot be changed with update(); the synchronizing org changes through plan_switch() and apply().</source>
        <translation>{fields} は update() では変更できません。同期する組織は plan_switch() と apply() で変更されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="510"/>
        <source>No organization was named. Known organizations: {orgs}.</source>
        <translation>組織が指定されていません。登録済みの組織: {orgs}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="512"/>
        <source>There is no organization number {number}. Known organizations: {orgs}.</source>
        <translation>組織番号 {number} はありません。登録済みの組織: {orgs}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="514"/>
        <source>Use a number from the list.</source>
        <translation>一覧にある番号を使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="516"/>
        <source>No organizations have been added yet.</source>
        <translation>まだ組織が追加されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="518"/>
        <source>“{ref}” does not name an organization. Known organizations: {orgs}.</source>
        <translation>「{ref}」は組織を示していません。登録済みの組織: {orgs}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="520"/>
        <source>{org} cannot synchronize yet: its organization ID is not known because it was added without connecting.</source>
        <translation>{org} はまだ同期できません: 接続せずに追加されたため、組織 ID がわかりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="522"/>
        <source>Connect to it once (test the connection or sign in), then try again.</source>
        <translation>一度接続 (接続のテストまたはサインイン) してから、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="524"/>
        <source>No organization matches “{ref}”. Known organizations: {orgs}.</source>
        <translation>「{ref}」に一致する組織はありません。登録済みの組織: {orgs}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="526"/>
        <source>Use a name, unique name, organization ID or number from the list.</source>
        <translation>一覧にある名前、一意の名前、組織 ID、または番号を使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="528"/>
        <source>{org} was removed after the plan was made.</source>
        <translation>計画の作成後に {org} が削除されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="530"/>
        <source>Nothing was changed. Choose the organization again.</source>
        <translation>何も変更されていません。もう一度組織を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="532"/>
        <source>An organization address must not contain a user name or password.</source>
        <translation>組織のアドレスにユーザー名やパスワードを含めることはできません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="534"/>
        <source>“{url}” is not an organization address.</source>
        <translation>「{url}」は組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="536"/>
        <source>Use an address such as https://contoso.crm.dynamics.com.</source>
        <translation>https://contoso.crm.dynamics.com のようなアドレスを使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="538"/>
        <source>“{org_id}” is not an organization ID.</source>
        <translation>「{org_id}」は組織 ID ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="540"/>
        <source>An organization ID looks like 6f3c2a51-0b1e-4c2d-9a7b-1c2d3e4f5a6b (Settings &gt; Customizations &gt; Developer Resources).</source>
        <translation>組織 ID は 6f3c2a51-0b1e-4c2d-9a7b-1c2d3e4f5a6b のような形式です ([設定] &gt; [カスタマイズ] &gt; [開発者リソース])。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="542"/>
        <source>An organization needs its address (base URL).</source>
        <translation>組織にはアドレス (ベース URL) が必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="544"/>
        <source>The organization list was damaged and could not be read (found {at}{why}). It was moved to {moved_to} and a new, empty list is in use.</source>
        <translation>組織の一覧が破損していて読み取れませんでした (検出: {at}{why})。一覧は {moved_to} に移動され、新しい空の一覧が使われています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="546"/>
        <source>Add your organizations again; if you need the old list, send that file to your helpdesk.</source>
        <translation>組織をもう一度追加してください。古い一覧が必要な場合は、そのファイルをヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="548"/>
        <source>Refusing to store “{key}” in the organization list: secrets belong in the OS keyring (wizard.engine.secrets), never in settings files.</source>
        <translation>「{key}」を組織の一覧に保存することを拒否しました: シークレットは設定ファイルではなく OS キーリング (wizard.engine.secrets) に保存します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="550"/>
        <source>The organizations or your mailbox changed after this plan was shown, so it was not carried out.</source>
        <translation>この計画の表示後に組織またはメールボックスが変更されたため、計画は実行されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="554"/>
        <source>Refusing to store a value of “{field}” that looks like an access token: secrets belong in the OS keyring.</source>
        <translation>アクセス トークンと思われる「{field}」の値の保存を拒否しました: シークレットは OS キーリングに保存します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="556"/>
        <source>Unknown sign-in method “{value}” (expected one of {choices}).</source>
        <translation>不明なサインイン方法「{value}」です ({choices} のいずれかを指定してください)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="562"/>
        <source>Unknown organization kind “{value}” (expected one of {choices}).</source>
        <translation>不明な組織の種類「{value}」です ({choices} のいずれかを指定してください)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="564"/>
        <source>Unknown synchronization method “{value}”.</source>
        <translation>不明な同期方法「{value}」です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="566"/>
        <source>Unknown way of synchronizing “{value}” (expected one of {choices}).</source>
        <translation>不明な同期の方式「{value}」です ({choices} のいずれかを指定してください)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="568"/>
        <source>Could not {verb} the credential in the system keyring.</source>
        <translation>システムのキーリングで資格情報を処理 ({verb}) できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="570"/>
        <source>Check that your keyring service is running and unlocked, then try again; choose not to save credentials to continue without it.</source>
        <translation>キーリング サービスが実行中でロック解除されていることを確認して、もう一度お試しください。キーリングなしで続けるには、資格情報を保存しないことを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="572"/>
        <source>Could not {verb} the credential: the keyring is locked.</source>
        <translation>資格情報を処理 ({verb}) できませんでした: キーリングがロックされています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="574"/>
        <source>Unlock your keyring (GNOME Keyring / KWallet; it usually unlocks when you log in) and answer its prompt, then try again.</source>
        <translation>キーリング (GNOME Keyring / KWallet。通常はログイン時にロック解除されます) のロックを解除し、確認に応答してから、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="576"/>
        <source>Unlock the login keychain (Keychain Access) and try again.</source>
        <translation>ログイン キーチェーン (キーチェーン アクセス) のロックを解除して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="578"/>
        <source>Sign in to Windows again (Credential Manager) and try again.</source>
        <translation>Windows にもう一度サインインして (資格情報マネージャー)、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="580"/>
        <source>Credentials cannot be saved: no secure keyring is available.</source>
        <translation>資格情報を保存できません: 安全なキーリングを利用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="582"/>
        <source>{reason}</source>
        <translation>{reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="584"/>
        <source>Could not {verb} the credential: the keyring&apos;s unlock prompt was dismissed.</source>
        <translation>資格情報を処理 ({verb}) できませんでした: キーリングのロック解除の確認が閉じられました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="604"/>
        <source>Test &amp; Enable in {org} failed: no reason was recorded.</source>
        <translation>{org} のTest &amp; Enableに失敗しました: 理由は記録されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="620"/>
        <source>{org}&apos;s mailbox record says {method}, but you chose server-side synchronization for it.</source>
        <translation>{org} のメールボックス レコードは {method} ですが、あなたはサーバー側同期を選びました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="622"/>
        <source>{org}&apos;s mailbox record says {method}, but you chose this computer for it.</source>
        <translation>{org} のメールボックス レコードは {method} ですが、あなたはこのコンピューターを選びました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="630"/>
        <source>{org} does not hold your Exchange mailbox, so its server-side synchronization does not synchronize appointments, contacts and tasks.</source>
        <translation>{org} は Exchange メールボックスを保持していないため、そのサーバー側同期では予定、取引先担当者、タスクは同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="632"/>
        <source>{org} does not hold your Exchange mailbox (last seen with {holders}), so its server-side synchronization does not synchronize appointments, contacts and tasks.</source>
        <translation>{org} は Exchange メールボックスを保持していない (最後に確認したのは {holders}) ため、そのサーバー側同期では予定、取引先担当者、タスクは同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="660"/>
        <source>The switch to {org} is not finished. Not changed ({count} in all): {orgs}.</source>
        <translation>{org} への切り替えは完了していません。変更されなかった組織 (計 {count} 件): {orgs}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="670"/>
        <source>{org} has no mailbox record for your user.</source>
        <translation>{org} には、あなたのユーザーのメールボックス レコードがありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="672"/>
        <source>An administrator of the organization can create it (Settings &gt; Email &gt; Mailboxes).</source>
        <translation>組織の管理者が作成できます ([設定] &gt; [電子メール] &gt; [メールボックス])。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="674"/>
        <source>“{method}” is not a synchronization method (server or computer).</source>
        <translation>「{method}」は同期方法ではありません (server または computer)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="676"/>
        <source>Several accounts are signed in; say which one to use.</source>
        <translation>複数のアカウントがサインインしています。使用するアカウントを指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="678"/>
        <source>Say which user name to use, or sign in again.</source>
        <translation>使用するユーザー名を指定するか、もう一度サインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="680"/>
        <source>This app has not been allowed (consented) to use Dynamics 365 on your behalf.</source>
        <translation>このアプリには、あなたに代わって Dynamics 365 を使用する許可 (同意) が与えられていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="682"/>
        <source>Sign in interactively and accept the consent prompt, or ask your administrator to grant admin consent for the app.</source>
        <translation>対話的にサインインして同意の確認を承認するか、管理者にアプリへの管理者の同意を付与するよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="684"/>
        <source>The sign-in app is not known in your organization&apos;s directory.</source>
        <translation>サインイン用のアプリが組織のディレクトリで認識されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="686"/>
        <source>Ask your administrator to allow the app, or use the client id your company provides (cloud file field client_id).</source>
        <translation>管理者にアプリを許可するよう依頼するか、会社が提供するクライアント ID (クラウド ファイルのフィールド client_id) を使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="688"/>
        <source>The sign-in app is not registered in your organization&apos;s directory.</source>
        <translation>サインイン用のアプリが組織のディレクトリに登録されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="690"/>
        <source>The sign-in service at {authority} could not be used.</source>
        <translation>{authority} のサインイン サービスを使用できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="692"/>
        <source>Check the cloud file&apos;s &apos;authority&apos; or the organization address.</source>
        <translation>クラウド ファイルの &apos;authority&apos; または組織のアドレスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="694"/>
        <source>This organization did not say where to sign in.</source>
        <translation>この組織はサインイン先を示しませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="696"/>
        <source>Check the address, or give the cloud with --cloud/--cloud-file.</source>
        <translation>アドレスを確認するか、--cloud/--cloud-file でクラウドを指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="698"/>
        <source>Your organization&apos;s access policy (conditional access) blocked this sign-in.</source>
        <translation>組織のアクセス ポリシー (条件付きアクセス) によって、このサインインはブロックされました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="700"/>
        <source>Ask your administrator which devices, locations or apps are allowed; the details below help them find the policy.</source>
        <translation>どのデバイス、場所、アプリが許可されているかを管理者に確認してください。以下の詳細は、管理者がポリシーを特定するのに役立ちます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="702"/>
        <source>The browser returned an answer that does not belong to this sign-in.</source>
        <translation>ブラウザーから、このサインインのものではない応答が返されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="704"/>
        <source>Start the sign-in again.</source>
        <translation>もう一度サインインを開始してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="706"/>
        <source>The sign-in was not completed in the browser within {minutes} minutes.</source>
        <translation>{minutes} 分以内にブラウザーでのサインインが完了しませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="708"/>
        <source>The sign-in was not completed in the browser within a minute.</source>
        <translation>1 分以内にブラウザーでのサインインが完了しませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="710"/>
        <source>Start it again, or sign in with a code on another device.</source>
        <translation>もう一度やり直すか、別のデバイスでコードを使ってサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="712"/>
        <source>The directory does not accept this sign-in app.</source>
        <translation>ディレクトリはこのサインイン用のアプリを受け付けません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="714"/>
        <source>Ask your administrator about the app registration (client id).</source>
        <translation>アプリの登録 (クライアント ID) について管理者に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="716"/>
        <source>The sign-in code expired before it was entered.</source>
        <translation>サインイン コードは入力される前に有効期限が切れました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="718"/>
        <source>Start the sign-in again and enter the new code within 15 minutes.</source>
        <translation>もう一度サインインを開始し、新しいコードを 15 分以内に入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="720"/>
        <source>The sign-in code was not entered in time.</source>
        <translation>サインイン コードが時間内に入力されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="722"/>
        <source>Start the sign-in again and enter the code at the address shown.</source>
        <translation>もう一度サインインを開始し、表示されたアドレスでコードを入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="724"/>
        <source>Permission for this app to use Dynamics 365 was declined.</source>
        <translation>このアプリが Dynamics 365 を使用する許可は拒否されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="726"/>
        <source>Sign in again and accept the consent prompt, or ask your administrator to grant consent.</source>
        <translation>もう一度サインインして同意の確認を承認するか、管理者に同意を付与するよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="728"/>
        <source>A user name and password are needed for this sign-in.</source>
        <translation>このサインインにはユーザー名とパスワードが必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="730"/>
        <source>Give the user name and password, or sign in with the browser.</source>
        <translation>ユーザー名とパスワードを指定するか、ブラウザーでサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="732"/>
        <source>Could not start a device-code sign-in: {cause}</source>
        <translation>デバイス コードによるサインインを開始できませんでした: {cause}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="734"/>
        <source>Dynamics 365 was not found in your organization&apos;s directory for this address.</source>
        <translation>このアドレスについて、組織のディレクトリに Dynamics 365 が見つかりませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="736"/>
        <source>Check the organization address (typos, region number) and that you sign in with an account of the company that owns it.</source>
        <translation>組織のアドレス (入力ミス、リージョン番号) を確認し、その組織を所有する会社のアカウントでサインインしていることを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="738"/>
        <source>The directory needs you to sign in interactively.</source>
        <translation>ディレクトリは対話的なサインインを必要としています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="740"/>
        <source>Your organization requires multi-factor authentication (a code or app approval) for this sign-in.</source>
        <translation>このサインインには、組織によって多要素認証 (コードまたはアプリでの承認) が必要とされています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="742"/>
        <source>Sign in with the browser or a device code so you can complete the second step; signing in with only a password cannot do that.</source>
        <translation>2 つ目の手順を完了できるよう、ブラウザーまたはデバイス コードでサインインしてください。パスワードだけのサインインではそれができません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="744"/>
        <source>Your account must be set up for multi-factor authentication before you can sign in.</source>
        <translation>サインインする前に、アカウントで多要素認証を設定する必要があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="746"/>
        <source>Sign in once at https://aka.ms/mfasetup in a browser to register a phone or authenticator app, then try again.</source>
        <translation>ブラウザーで一度 https://aka.ms/mfasetup にサインインして電話または認証アプリを登録してから、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="748"/>
        <source>A new sign-in was asked for.</source>
        <translation>新しいサインインが要求されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="750"/>
        <source>The sign-in service did not answer.</source>
        <translation>サインイン サービスから応答がありませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="754"/>
        <source>No web browser could be opened for sign-in.</source>
        <translation>サインイン用の Web ブラウザーを開けませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="756"/>
        <source>Open the sign-in address in a web browser yourself, or sign in with a code on another device.</source>
        <translation>サインインのアドレスをご自身で Web ブラウザーで開くか、別のデバイスでコードを使ってサインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="758"/>
        <source>You are not signed in any more.</source>
        <translation>サインインの状態ではなくなりました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="760"/>
        <source>No account with this user name exists in the directory.</source>
        <translation>このユーザー名のアカウントはディレクトリに存在しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="762"/>
        <source>Check the user name (usually your work e-mail address).</source>
        <translation>ユーザー名 (通常は職場の電子メール アドレス) を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="764"/>
        <source>Your account is not a member of the organization&apos;s directory (tenant).</source>
        <translation>あなたのアカウントは組織のディレクトリ (テナント) のメンバーではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="766"/>
        <source>Sign in with the account your company gave you for this organization, or ask its administrator to invite you as a guest.</source>
        <translation>この組織用に会社から提供されたアカウントでサインインするか、組織の管理者にゲストとして招待するよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="768"/>
        <source>You are not signed in as {username} yet.</source>
        <translation>{username} としてまだサインインしていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="770"/>
        <source>Sign in.</source>
        <translation>サインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="772"/>
        <source>You are not signed in yet.</source>
        <translation>まだサインインしていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="774"/>
        <source>The sign-in app&apos;s reply address is not allowed by the directory.</source>
        <translation>サインイン用アプリの応答アドレスがディレクトリで許可されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="776"/>
        <source>Ask your administrator to add http://localhost as a redirect URI for the app, or use device-code sign-in.</source>
        <translation>管理者にアプリのリダイレクト URI として http://localhost を追加するよう依頼するか、デバイス コードによるサインインを使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="778"/>
        <source>Your saved sign-in can no longer be used.</source>
        <translation>保存されているサインインはもう使用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="780"/>
        <source>Your saved sign-in cannot be used for this organization.</source>
        <translation>保存されているサインインは、この組織には使用できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="908"/>
        <source>The calendar server at {host} answered HTTP {status} to a request.</source>
        <translation>{host} の予定表サーバーは要求に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="910"/>
        <source>The calendar server at {host} answered HTTP {status} to a listing.</source>
        <translation>{host} の予定表サーバーは一覧の取得に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="912"/>
        <source>The calendar server at {host} answered HTTP {status} to a check.</source>
        <translation>{host} の予定表サーバーは確認の要求に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="914"/>
        <source>The calendar server at {host} answered HTTP {status} to a request for the list of changes.</source>
        <translation>{host} の予定表サーバーは変更一覧の要求に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="916"/>
        <source>The calendar server at {host} answered HTTP {status} to reading items.</source>
        <translation>{host} の予定表サーバーはアイテムの読み取りに対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="918"/>
        <source>The calendar server at {host} answered HTTP {status} to saving an item.</source>
        <translation>{host} の予定表サーバーはアイテムの保存に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="920"/>
        <source>The calendar server at {host} answered HTTP {status} to deleting an item.</source>
        <translation>{host} の予定表サーバーはアイテムの削除に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="922"/>
        <source>The calendar server at {host} answered HTTP {status} to saving the mailbox stamp.</source>
        <translation>{host} の予定表サーバーはメールボックスのスタンプの保存に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="924"/>
        <source>The calendar server at {host} answered HTTP {status} to reading the mailbox stamp.</source>
        <translation>{host} の予定表サーバーはメールボックスのスタンプの読み取りに対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="926"/>
        <source>The calendar server at {host} answered HTTP {status} to removing the mailbox stamp.</source>
        <translation>{host} の予定表サーバーはメールボックスのスタンプの削除に対して HTTP {status} を返しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="930"/>
        <source>The calendar server at {host} refused this account&apos;s request (HTTP 403).</source>
        <translation>{host} の予定表サーバーは、このアカウントの要求を拒否しました (HTTP 403)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="932"/>
        <source>The calendar server at {host} does not let this account list the collection.</source>
        <translation>{host} の予定表サーバーは、このアカウントにコレクションの一覧の取得を許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="934"/>
        <source>The calendar server at {host} does not let this account read the list of changes.</source>
        <translation>{host} の予定表サーバーは、このアカウントに変更一覧の読み取りを許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="936"/>
        <source>The calendar server at {host} does not let this account read items.</source>
        <translation>{host} の予定表サーバーは、このアカウントにアイテムの読み取りを許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="938"/>
        <source>The calendar server at {host} does not let this account save items.</source>
        <translation>{host} の予定表サーバーは、このアカウントにアイテムの保存を許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="940"/>
        <source>The calendar server at {host} does not let this account delete items.</source>
        <translation>{host} の予定表サーバーは、このアカウントにアイテムの削除を許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="942"/>
        <source>The calendar server at {host} does not let this account save the mailbox stamp.</source>
        <translation>{host} の予定表サーバーは、このアカウントにメールボックスのスタンプの保存を許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="944"/>
        <source>The calendar server at {host} does not let this account read the mailbox stamp.</source>
        <translation>{host} の予定表サーバーは、このアカウントにメールボックスのスタンプの読み取りを許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="946"/>
        <source>The calendar server at {host} does not let this account remove the mailbox stamp.</source>
        <translation>{host} の予定表サーバーは、このアカウントにメールボックスのスタンプの削除を許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="948"/>
        <source>The calendar server at {host} does not let this account keep the mailbox stamp on the collection.</source>
        <translation>{host} の予定表サーバーは、このアカウントにコレクション上のメールボックスのスタンプの保持を許可していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1180"/>
        <source>{org}: appointments, contacts and tasks → None (was {was}).</source>
        <translation>{org}: 予定・連絡先・タスク → なし (変更前: {was})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1182"/>
        <source>{org}: appointments, contacts and tasks stay None.</source>
        <translation>{org}: 予定・連絡先・タスクは「なし」のままです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1184"/>
        <source>{org}: appointments, contacts and tasks → Server-Side Synchronization (was {was}), then Test &amp; Enable.</source>
        <translation>{org}: 予定・連絡先・タスク → サーバー側同期 (変更前: {was})。その後 Test &amp; Enable を実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1186"/>
        <source>{org}: appointments, contacts and tasks → Server-Side Synchronization (was {was}), then Test &amp; Enable with “this org only”{takes}.</source>
        <translation>{org}: 予定・連絡先・タスク → サーバー側同期 (変更前: {was})。その後「この組織のみ」で Test &amp; Enable を実行します{takes}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1188"/>
        <source>{org}: stays on Server-Side Synchronization; Test &amp; Enable again.</source>
        <translation>{org}: サーバー側同期のままです。Test &amp; Enable をもう一度実行します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1190"/>
        <source>{org}: stays on Server-Side Synchronization; it holds your Exchange mailbox already.</source>
        <translation>{org}: サーバー側同期のままです。Exchange メールボックスはすでにこの組織が保持しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1192"/>
        <source>{org}: stays on Server-Side Synchronization; Test &amp; Enable again with “this org only”{takes}.</source>
        <translation>{org}: サーバー側同期のままです。「この組織のみ」で Test &amp; Enable をもう一度実行します{takes}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1194"/>
        <source>{org}: appointments, contacts and tasks → this computer (method Dynamics 365 for Outlook, was {was}); the org&apos;s server-side synchronization does not sync them.</source>
        <translation>{org}: 予定・連絡先・タスク → このコンピューター (方法は Dynamics 365 for Outlook、変更前: {was})。組織のサーバー側同期はこれらを同期しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1196"/>
        <source>{org}: appointments, contacts and tasks stay with this computer.</source>
        <translation>{org}: 予定・連絡先・タスクは引き続きこのコンピューターで同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1198"/>
        <source> (takes your Exchange mailbox from {holders})</source>
        <translation> (Exchange メールボックスを {holders} から引き継ぎます)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1200"/>
        <source>{org}: could not be read: {reason} Its record cannot be changed now; the switch stays incomplete until it is.</source>
        <translation>{org}: 読み取れませんでした: {reason} 今はレコードを変更できません。変更できるまで切り替えは完了しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1202"/>
        <source>{org}: there is no mailbox record for you; nothing to change there.</source>
        <translation>{org}: あなたのメールボックス レコードがありません。この組織では変更するものはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1204"/>
        <source>Your Exchange mailbox synchronizes with {holders}.</source>
        <translation>Exchange メールボックスは {holders} と同期しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1208"/>
        <source>None of the organizations that could be read holds your Exchange mailbox.</source>
        <translation>読み取れた組織のいずれも Exchange メールボックスを保持していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1210"/>
        <source>{org}: your e-mail address {email} is “{state}”, not approved. An administrator must approve it (Approve Email in the mailbox record) before server-side synchronization works; this app cannot do that.</source>
        <translation>{org}: メール アドレス {email} は「{state}」で、承認されていません。サーバー側同期が動作するには、管理者が承認する必要があります (メールボックス レコードの [メールの承認])。このアプリでは承認できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1212"/>
        <source>Reading your mailbox records in the organizations ({count} in all)…</source>
        <translation>各組織のメールボックス レコードを読み取っています (全 {count} 件)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1214"/>
        <source>Changing the mailbox records in the organizations ({count} in all)…</source>
        <translation>各組織のメールボックス レコードを変更しています (全 {count} 件)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1222"/>
        <source>Undoing the changes already made…</source>
        <translation>すでに行った変更を元に戻しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1224"/>
        <source>{org}: set to None.</source>
        <translation>{org}: 「なし」に設定しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1226"/>
        <source>{org}: set to Server-Side Synchronization.</source>
        <translation>{org}: サーバー側同期に設定しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1228"/>
        <source>{org}: set to this computer (Dynamics 365 for Outlook).</source>
        <translation>{org}: このコンピューター (Dynamics 365 for Outlook) に設定しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1230"/>
        <source>{org}: already as planned.</source>
        <translation>{org}: すでに計画どおりです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1232"/>
        <source>{org}: not changed. {reason}</source>
        <translation>{org}: 変更されていません。{reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1234"/>
        <source>Test &amp; Enable in {org} succeeded: it synchronizes appointments, contacts and tasks with your Exchange mailbox.</source>
        <translation>{org} の Test &amp; Enable に成功しました。予定・連絡先・タスクを Exchange メールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1236"/>
        <source>Test &amp; Enable in {org} could not run: your e-mail address is not approved yet (an administrator&apos;s step).</source>
        <translation>{org} の Test &amp; Enable を実行できませんでした。メール アドレスがまだ承認されていません (管理者が行う手順です)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1238"/>
        <source>Test &amp; Enable in {org} has not run yet. Dynamics 365 runs it in the background, which can take several minutes; check the mailbox status later.</source>
        <translation>{org} の Test &amp; Enable はまだ実行されていません。Dynamics 365 がバックグラウンドで実行するため、数分かかることがあります。あとでメールボックスの状態を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1240"/>
        <source>Stopped waiting for Test &amp; Enable in {org}; it still runs on the server. Check the mailbox status later.</source>
        <translation>{org} の Test &amp; Enable の完了待ちをやめました。サーバーでは引き続き実行されています。あとでメールボックスの状態を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1242"/>
        <source>{org} is now your synchronizing organization; the other organizations are set to None.</source>
        <translation>{org} が同期する組織になりました。ほかの組織は「なし」に設定されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1244"/>
        <source>The switch to {org} is not finished (not changed: {count} in all). It is finished when you switch again.</source>
        <translation>{org} への切り替えは完了していません (変更されなかった組織: 全 {count} 件)。もう一度切り替えると完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1246"/>
        <source>it was being undone because a mailbox record changed.</source>
        <translation>メールボックス レコードが変更されたため、元に戻している途中でした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1248"/>
        <source>not changed yet: {orgs}.</source>
        <translation>まだ変更されていない組織: {orgs}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1250"/>
        <source>Test &amp; Enable was not requested yet.</source>
        <translation>Test &amp; Enable はまだ要求されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1252"/>
        <source>the mailbox records were being changed.</source>
        <translation>メールボックス レコードを変更している途中でした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1254"/>
        <source>Test &amp; Enable the mailbox with “Sync items with Exchange from this org only”.</source>
        <translation>「この組織のアイテムのみを Exchange と同期する」を指定して、メールボックスの Test &amp; Enable を実行する。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1256"/>
        <source>set Appointments, Contacts, and Tasks to {method}.</source>
        <translation>[予定、連絡先、タスク] を {method} に設定する。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1258"/>
        <source>set Appointments, Contacts, and Tasks to {method} and Test &amp; Enable the mailbox.</source>
        <translation>[予定、連絡先、タスク] を {method} に設定し、メールボックスの Test &amp; Enable を実行する。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1260"/>
        <source>set Appointments, Contacts, and Tasks to {method} and Test &amp; Enable the mailbox with “Sync items with Exchange from this org only”.</source>
        <translation>[予定、連絡先、タスク] を {method} に設定し、「この組織のアイテムのみを Exchange と同期する」を指定してメールボックスの Test &amp; Enable を実行する。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1262"/>
        <source>{org} already synchronizes appointments, contacts and tasks with your mailbox.</source>
        <translation>{org} はすでに予定・連絡先・タスクをメールボックスと同期しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1264"/>
        <source>{org} will stop synchronizing appointments, contacts and tasks with your mailbox; its synchronization method becomes None. You stay connected to it.</source>
        <translation>{org} は予定・連絡先・タスクのメールボックスとの同期を停止し、同期方法は「なし」になります。接続は維持されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1266"/>
        <source>{org} will start synchronizing appointments, contacts and tasks with your mailbox.</source>
        <translation>{org} が予定・連絡先・タスクのメールボックスとの同期を開始します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1268"/>
        <source>{org} will take your mailbox back and synchronize it again.</source>
        <translation>{org} がメールボックスを取り戻し、再び同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1270"/>
        <source>Your mailbox is not set to synchronize with any organization yet; it will record {org}.</source>
        <translation>メールボックスはまだどの組織とも同期するように設定されていません。{org} が記録されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1272"/>
        <source>Your mailbox is set to synchronize with {who}, last synchronized {when}.</source>
        <translation>メールボックスは {who} と同期するように設定されています (最終同期: {when})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1274"/>
        <source>Your mailbox is set to synchronize with {who}, not synchronized yet.</source>
        <translation>メールボックスは {who} と同期するように設定されています (まだ同期されていません)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1276"/>
        <source> That is not your synchronizing organization: another administrator, a migration or another computer may have set it.</source>
        <translation>これは同期する組織ではありません。別の管理者、移行作業、または別のコンピューターが設定した可能性があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1278"/>
        <source> That is not your synchronizing organization (an organization that is not in your list, ID {org_id}): another administrator, a migration or another computer may have set it.</source>
        <translation>これは同期する組織ではありません (一覧にない組織、ID {org_id})。別の管理者、移行作業、または別のコンピューターが設定した可能性があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1280"/>
        <source> It will record {org} instead.</source>
        <translation>代わりに {org} が記録されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1282"/>
        <source>Continuing needs the option “Sync items from this org only, even if the mailbox was set to sync with a different org”.</source>
        <translation>続行するには、オプション「メールボックスが別の組織と同期するように設定されていても、この組織のアイテムのみを同期する」が必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1284"/>
        <source>{org} now synchronizes appointments, contacts and tasks with your mailbox.</source>
        <translation>{org} が予定・連絡先・タスクをメールボックスと同期するようになりました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1286"/>
        <source>{org} now synchronizes appointments, contacts and tasks with your mailbox; {previous} no longer does.</source>
        <translation>{org} が予定・連絡先・タスクをメールボックスと同期するようになりました。{previous} は同期しなくなりました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="208"/>
        <source>Sign in again.</source>
        <translation>もう一度サインインしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="782"/>
        <source>The sign-in asked for a permission the directory does not know (invalid scope).</source>
        <translation>サインインが、ディレクトリの知らないアクセス許可を要求しました (無効なスコープ)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="784"/>
        <source>Check the organization address; if it is right, send the details to your administrator.</source>
        <translation>組織のアドレスを確認してください。正しい場合は、詳細を管理者に送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="786"/>
        <source>The sign-in was cancelled.</source>
        <translation>サインインはキャンセルされました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="788"/>
        <source>The sign-in was declined.</source>
        <translation>サインインは拒否されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="790"/>
        <source>Start it again if that was a mistake.</source>
        <translation>誤りだった場合は、もう一度開始してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="792"/>
        <source>Signing in did not work.</source>
        <translation>サインインできませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="794"/>
        <source>Try again; if it keeps failing, send the details to your administrator.</source>
        <translation>もう一度お試しください。失敗が続く場合は、詳細を管理者に送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="796"/>
        <source>Signing in did not work (AADSTS{aadsts}).</source>
        <translation>サインインできませんでした (AADSTS{aadsts})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="798"/>
        <source>Signing in did not work (AADSTS{aadsts}). The sign-in service said: {server_message}</source>
        <translation>サインインできませんでした (AADSTS{aadsts})。サインイン サービスの応答: {server_message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="800"/>
        <source>Signing in did not work. The sign-in service said: {server_message}</source>
        <translation>サインインできませんでした。サインイン サービスの応答: {server_message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="802"/>
        <source>The sign-in was cancelled or refused.</source>
        <translation>サインインはキャンセルされたか、拒否されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="804"/>
        <source>Your saved sign-in is no longer valid (for example, your password was changed or an administrator revoked sessions).</source>
        <translation>保存されているサインインは無効になりました (パスワードが変更された、または管理者がセッションを取り消したなど)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="806"/>
        <source>Could not reach the sign-in service: {cause}</source>
        <translation>サインイン サービスに接続できませんでした: {cause}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="808"/>
        <source>Your saved sign-in expired because it was not used for a long time.</source>
        <translation>保存されているサインインは、長期間使用されなかったため有効期限が切れました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="810"/>
        <source>The directory (tenant) for this sign-in was not found.</source>
        <translation>このサインインのディレクトリ (テナント) が見つかりませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="812"/>
        <source>Check the organization address; if your company uses a sovereign cloud (GCC High, DoD, China), choose that cloud.</source>
        <translation>組織のアドレスを確認してください。会社がソブリン クラウド (GCC High、DoD、中国) を使用している場合は、そのクラウドを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="814"/>
        <source>Your saved sign-ins could not be read ({reason}).</source>
        <translation>保存されているサインインを読み取れませんでした ({reason})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="816"/>
        <source>Your saved sign-ins could not be read ({reason}). It was moved to {moved_to}.</source>
        <translation>保存されているサインインを読み取れませんでした ({reason})。ファイルは {moved_to} に移動されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="818"/>
        <source>Sign in again; nothing else was lost.</source>
        <translation>もう一度サインインしてください。ほかに失われたものはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="820"/>
        <source>Your user account is disabled.</source>
        <translation>あなたのユーザー アカウントは無効になっています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="822"/>
        <source>Ask your administrator to enable the account.</source>
        <translation>管理者にアカウントを有効にするよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="824"/>
        <source>The server&apos;s Windows sign-in answer was not understood.</source>
        <translation>サーバーからの Windows サインインの応答を解釈できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="826"/>
        <source>Windows sign-in could not start.</source>
        <translation>Windows サインインを開始できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="828"/>
        <source>Check the user name (DOMAIN\user or user@domain).</source>
        <translation>ユーザー名 (DOMAIN\user または user@domain) を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="830"/>
        <source>The server did not accept the Windows user name or password for {user}.</source>
        <translation>サーバーは {user} の Windows ユーザー名またはパスワードを受け付けませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="832"/>
        <source>Check the user name (DOMAIN\user) and the password, and watch Caps Lock.</source>
        <translation>ユーザー名 (DOMAIN\user) とパスワードを確認し、Caps Lock に注意してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="834"/>
        <source>The user name or password is incorrect.</source>
        <translation>ユーザー名またはパスワードが正しくありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="836"/>
        <source>Check the user name (usually your work e-mail address) and the password, and watch Caps Lock.</source>
        <translation>ユーザー名 (通常は職場の電子メール アドレス) とパスワードを確認し、Caps Lock に注意してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="840"/>
        <source>Check them and try again.</source>
        <translation>確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="846"/>
        <source>The sign-in page asked for something this app cannot answer.</source>
        <translation>サインイン ページが、このアプリでは応答できない情報を要求しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="860"/>
        <source>The mailbox store is busy: another d365-wizard process kept it locked for over {seconds} seconds.</source>
        <translation>メールボックスのストアは使用中です: ほかの d365-wizard のプロセスが {seconds} 秒を超えてロックしています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="862"/>
        <source>The mailbox store {path} was written by a newer version of d365-wizard (stamp format {found}; this version reads up to {supported}).</source>
        <translation>メールボックスのストア {path} は新しいバージョンの d365-wizard で書き込まれています (スタンプ形式 {found}。このバージョンが読み取れるのは {supported} までです)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="864"/>
        <source>Your mailbox is set to synchronize with a different organization: “{org_name}” (organization ID {org_id}). Nothing was synchronized with this organization.</source>
        <translation>メールボックスは別の組織と同期するように設定されています: 「{org_name}」(組織 ID {org_id})。この組織とは何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="866"/>
        <source>Your mailbox is set to synchronize with a different organization: “{org_name}” (organization ID {org_id}). Nothing was synchronized with “{wanted}”.</source>
        <translation>メールボックスは別の組織と同期するように設定されています: 「{org_name}」(組織 ID {org_id})。「{wanted}」とは何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="868"/>
        <source>Your mailbox is set to synchronize with a different organization: “{org_name}” (organization ID {org_id}). Nothing was changed: {not_switched} was not made the synchronizing organization.</source>
        <translation>メールボックスは別の組織と同期するように設定されています: 「{org_name}」(組織 ID {org_id})。何も変更されていません: {not_switched} は同期する組織になっていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="870"/>
        <source>Your mailbox is set to synchronize with a different organization: “{org_name}” (organization ID {org_id}), last synchronized {last_sync}. Nothing was synchronized with this organization.</source>
        <translation>メールボックスは別の組織と同期するように設定されています: 「{org_name}」(組織 ID {org_id})、最終同期 {last_sync}。この組織とは何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="872"/>
        <source>Your mailbox is set to synchronize with a different organization: “{org_name}” (organization ID {org_id}), last synchronized {last_sync}. Nothing was synchronized with “{wanted}”.</source>
        <translation>メールボックスは別の組織と同期するように設定されています: 「{org_name}」(組織 ID {org_id})、最終同期 {last_sync}。「{wanted}」とは何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="874"/>
        <source>Your mailbox is set to synchronize with a different organization: “{org_name}” (organization ID {org_id}), last synchronized {last_sync}. Nothing was changed: {not_switched} was not made the synchronizing organization.</source>
        <translation>メールボックスは別の組織と同期するように設定されています: 「{org_name}」(組織 ID {org_id})、最終同期 {last_sync}。何も変更されていません: {not_switched} は同期する組織になっていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="876"/>
        <source>To synchronize with this organization anyway, choose the option “Sync items from this org only, even if the mailbox was set to sync with a different org”. Items then come from this org only.</source>
        <translation>それでもこの組織と同期するには、オプション「メールボックスが別の組織と同期するように設定されていても、この組織のアイテムのみを同期する」を選んでください。その後、アイテムはこの組織からのみ取得されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="878"/>
        <source>To synchronize with “{wanted}” anyway, choose the option “Sync items from this org only, even if the mailbox was set to sync with a different org”. Items then come from this org only.</source>
        <translation>それでも「{wanted}」と同期するには、オプション「メールボックスが別の組織と同期するように設定されていても、この組織のアイテムのみを同期する」を選んでください。その後、アイテムはこの組織からのみ取得されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="880"/>
        <source>Your mailbox is not set to synchronize with any organization yet, so the sync time was not recorded.</source>
        <translation>メールボックスはまだどの組織とも同期するように設定されていないため、同期の時刻は記録されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="882"/>
        <source>Choose the synchronizing organization first.</source>
        <translation>先に同期する組織を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="884"/>
        <source>Another d365-wizard process has kept {name} locked for over {seconds} seconds.</source>
        <translation>ほかの d365-wizard のプロセスが {name} を {seconds} 秒を超えてロックしています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="886"/>
        <source>The {kind} file {path} was written by a newer version of d365-wizard (format {found}; this version reads up to {supported}).</source>
        <translation>{kind} ファイル {path} は新しいバージョンの d365-wizard で書き込まれています (形式 {found}。このバージョンが読み取れるのは {supported} までです)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="888"/>
        <source>Update d365-wizard, or remove the file to start over.</source>
        <translation>d365-wizard を更新するか、ファイルを削除して最初からやり直してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="890"/>
        <source>The {kind} file was damaged and could not be read ({reason}). It was moved to {moved_to} and a new, empty one will be used.</source>
        <translation>{kind} ファイルが破損していて読み取れませんでした ({reason})。ファイルは {moved_to} に移動され、新しい空のファイルが使われます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="892"/>
        <source>If you need the old content, send that file to your helpdesk.</source>
        <translation>古い内容が必要な場合は、そのファイルをヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="894"/>
        <source>The setting was switched, but {count} contacts changed in the organization meanwhile and were not remapped: {contacts}.</source>
        <translation>設定は切り替えられましたが、その間に組織で {count} 件の取引先担当者が変更されたため、対応付けし直されませんでした: {contacts}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="896"/>
        <source>The setting was switched, but 1 contact changed in the organization meanwhile and was not remapped: {contacts}.</source>
        <translation>設定は切り替えられましたが、その間に組織で 1 件の取引先担当者が変更されたため、対応付けし直されませんでした: {contacts}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="898"/>
        <source>Synchronize again; the backup is {backup}.</source>
        <translation>もう一度同期してください。バックアップは {backup} です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="900"/>
        <source>The calendar server at {host} did not accept the user name and password.</source>
        <translation>{host} の予定表サーバーがユーザー名とパスワードを受け付けませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="902"/>
        <source>Check the user name and password. Many providers (iCloud, Fastmail, Google, Nextcloud with two-step sign-in) need an app password made for this program in your account&apos;s security settings.</source>
        <translation>ユーザー名とパスワードを確認してください。多くのプロバイダー (iCloud、Fastmail、Google、2 段階サインインを使う Nextcloud) では、アカウントのセキュリティ設定でこのプログラム用に作成したアプリ パスワードが必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="904"/>
        <source>The server at {host} asks for a kind of sign-in this app does not support ({scheme}); it signs in to CalDAV/CardDAV servers with a user name and password.</source>
        <translation>{host} のサーバーは、このアプリが対応していない種類のサインイン ({scheme}) を求めています。このアプリは CalDAV/CardDAV サーバーにユーザー名とパスワードでサインインします。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="906"/>
        <source>Check the address: it may not be a CalDAV/CardDAV server. Google Calendar&apos;s CalDAV needs OAuth; sync Google through a vdir folder and vdirsyncer instead.</source>
        <translation>アドレスを確認してください: CalDAV/CardDAV サーバーではない可能性があります。Google カレンダーの CalDAV には OAuth が必要です。代わりに vdir フォルダーと vdirsyncer を使って Google と同期してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="928"/>
        <source>Try again later; if it keeps failing, check the address with your provider.</source>
        <translation>後でもう一度お試しください。失敗が続く場合は、プロバイダーにアドレスを確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="950"/>
        <source>Choose a calendar or address book the account may change.</source>
        <translation>このアカウントで変更できる予定表またはアドレス帳を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="952"/>
        <source>There is no calendar or address book at {url}.</source>
        <translation>{url} には予定表もアドレス帳もありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="954"/>
        <source>Check the address. Your provider&apos;s help names it; the server&apos;s own address (https://server/) is often enough.</source>
        <translation>アドレスを確認してください。プロバイダーのヘルプに記載されています。多くの場合、サーバー自体のアドレス (https://server/) で十分です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="956"/>
        <source>The account at {host} has no calendar, task list or address book.</source>
        <translation>{host} のアカウントには、予定表、タスク一覧、アドレス帳のいずれもありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="958"/>
        <source>Create a calendar and an address book in your account, then try again.</source>
        <translation>アカウントに予定表とアドレス帳を作成してから、もう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="960"/>
        <source>{url} is not a CalDAV or CardDAV server.</source>
        <translation>{url} は CalDAV または CardDAV のサーバーではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="962"/>
        <source>Check the address. Your provider&apos;s help names the CalDAV and CardDAV address; it is not the address of the web calendar.</source>
        <translation>アドレスを確認してください。CalDAV と CardDAV のアドレスはプロバイダーのヘルプに記載されています。Web カレンダーのアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="964"/>
        <source>changed again; retried next time</source>
        <translation>その間に再び変更されました。次回もう一度送信します</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="966"/>
        <source>the organization refused it (HTTP {status}): {server_message}</source>
        <translation>組織に拒否されました (HTTP {status}): {server_message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="968"/>
        <source>the organization refused it (HTTP {status}):</source>
        <translation>組織に拒否されました (HTTP {status})</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="970"/>
        <source>Every {kind} in the mailbox is gone, which would delete {count} {kind}s in the organization as well. Nothing was synchronized.</source>
        <translation>メールボックスの {kind} がすべてなくなっています。このまま同期すると組織の {kind} も {count} 件削除されます。何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="972"/>
        <source>Every {kind} in the organization is gone, which would delete {count} {kind}s in the mailbox as well. Nothing was synchronized.</source>
        <translation>組織の {kind} がすべてなくなっています。このまま同期するとメールボックスの {kind} も {count} 件削除されます。何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="974"/>
        <source>If that is really what you want, run the sync again and confirm the deletion.</source>
        <translation>それが本当に意図したことであれば、もう一度同期を実行して削除を確定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="976"/>
        <source>Your account is not allowed to synchronize with Outlook in {org} (it lacks the “Sync to Outlook” privilege). Nothing was synchronized.</source>
        <translation>あなたのアカウントには {org} で Outlook と同期する権限がありません (「Outlook への同期」特権がありません)。何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="978"/>
        <source>Your account ({user}) is not allowed to synchronize with Outlook in {org} (it lacks the “Sync to Outlook” privilege). Nothing was synchronized.</source>
        <translation>あなたのアカウント ({user}) には {org} で Outlook と同期する権限がありません (「Outlook への同期」特権がありません)。何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="980"/>
        <source>Ask your Dynamics 365 administrator to add the privilege to one of your security roles.</source>
        <translation>Dynamics 365 の管理者に、あなたのセキュリティ ロールのいずれかにその特権を追加するよう依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="982"/>
        <source>Synchronization was cancelled; nothing in your mailbox changed.</source>
        <translation>同期はキャンセルされました。メールボックスは何も変更されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="984"/>
        <source>Changes already sent to the organization are matched up at the next sync.</source>
        <translation>組織に送信済みの変更は、次回の同期で照合されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="986"/>
        <source>{org} cannot be reached right now. Nothing from your mailbox is waiting to be sent.</source>
        <translation>現在 {org} に接続できません。メールボックスから送信待ちのものはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="988"/>
        <source>{org} cannot be reached right now. 1 change from your mailbox is queued and will be sent when it is back.</source>
        <translation>現在 {org} に接続できません。メールボックスからの変更 1 件が待機中で、接続が回復すると送信されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="990"/>
        <source>{org} cannot be reached right now. {pending} changes from your mailbox are queued and will be sent when it is back.</source>
        <translation>現在 {org} に接続できません。メールボックスからの変更 {pending} 件が待機中で、接続が回復すると送信されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="992"/>
        <source>Check your network connection and synchronize again later.</source>
        <translation>ネットワーク接続を確認して、後でもう一度同期してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="994"/>
        <source>Another synchronization of this mailbox is running.</source>
        <translation>このメールボックスの別の同期が実行中です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="996"/>
        <source>Wait for it to finish, then synchronize again.</source>
        <translation>完了するまで待ってから、もう一度同期してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="998"/>
        <source>Your choice not to show this notice again could not be saved ({path}).</source>
        <translation>この通知を今後表示しないという選択を保存できませんでした ({path})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1000"/>
        <source>The notice will be shown again next time.</source>
        <translation>次回もこの通知が表示されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1002"/>
        <source>The change-tracking token expired.</source>
        <translation>変更追跡のトークンの有効期限が切れました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1004"/>
        <source>{org} is busy; try again shortly.</source>
        <translation>{org} は混み合っています。しばらくしてからもう一度お試しください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1006"/>
        <source>{org} cannot be reached.</source>
        <translation>{org} に接続できません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1008"/>
        <source>Your changes are kept and sent when it can be reached.</source>
        <translation>変更は保持され、接続できるようになると送信されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1010"/>
        <source>“{value}” does not name a record.</source>
        <translation>「{value}」はレコードを示していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1012"/>
        <source>Give the record as TYPE:ID, TYPE one of {types} and ID its GUID, or search for it by name.</source>
        <translation>レコードを TYPE:ID の形で指定してください（TYPE は {types} のいずれか、ID はその GUID）。または名前で検索してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1014"/>
        <source>“{text}” matches {count} records: {choices}.</source>
        <translation>「{text}」に一致するレコードが {count} 件あります: {choices}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1016"/>
        <source>Give the one you mean as TYPE:ID.</source>
        <translation>目的のレコードを TYPE:ID の形で指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1018"/>
        <source>No record matches “{text}”.</source>
        <translation>「{text}」に一致するレコードはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1020"/>
        <source>Search with fewer letters, or give the record as TYPE:ID.</source>
        <translation>文字数を減らして検索するか、レコードを TYPE:ID の形で指定してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1022"/>
        <source>“{title}” is a {kind}; only appointments, tasks and e-mails can be regarding a record.</source>
        <translation>「{title}」は {kind} です。レコードに関連付けられるのは予定、タスク、電子メールだけです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1024"/>
        <source>{org} does not offer {type} records to you: the table is missing or your security role cannot read it.</source>
        <translation>{org} では {type} レコードを利用できません。テーブルが存在しないか、セキュリティ ロールに読み取り権限がありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1026"/>
        <source>Choose a record of another type, or ask your administrator for read access.</source>
        <translation>別の種類のレコードを選ぶか、管理者に読み取り権限を依頼してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1028"/>
        <source>{href} no longer exists.</source>
        <translation>{href} はもう存在しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1030"/>
        <source>This mailbox has no collection for {kind}s.</source>
        <translation>このメールボックスには {kind} のコレクションがありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1032"/>
        <source>Connect a mailbox that has one, or create one in it and connect again.</source>
        <translation>コレクションがあるメールボックスに接続するか、メールボックスにコレクションを作成してからもう一度接続してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1034"/>
        <source>{href} changed while it was being written.</source>
        <translation>{href} は書き込み中に変更されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1036"/>
        <source>No organization synchronizes with your mailbox yet.</source>
        <translation>まだどの組織もメールボックスと同期していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1038"/>
        <source>Choose one (its synchronization method becomes Mailbox).</source>
        <translation>組織を 1 つ選んでください (その同期方法はメールボックスになります)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1040"/>
        <source>{org} does not synchronize with your mailbox (its synchronization method is None); {primary} does. Nothing was synchronized.</source>
        <translation>{org} はメールボックスと同期していません (同期方法は [なし] です)。同期しているのは {primary} です。何も同期されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1042"/>
        <source>To synchronize with {org} instead, make it the synchronizing organization first.</source>
        <translation>代わりに {org} と同期するには、先にそれを同期する組織にしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1044"/>
        <source>{org} has not been connected yet, so its organization ID is unknown.</source>
        <translation>{org} にはまだ接続していないため、組織 ID がわかりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1046"/>
        <source>Test its connection once while online.</source>
        <translation>オンラインのときに一度接続をテストしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1048"/>
        <source>The password for {user} at {url} is not in the keyring.</source>
        <translation>{url} の {user} のパスワードがキーリングにありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1050"/>
        <source>Connect the mailbox again and enter the password (or app password).</source>
        <translation>もう一度メールボックスに接続して、パスワード (またはアプリ パスワード) を入力してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1052"/>
        <source>“{side}” is not a kind of mailbox; use local, vdir or dav.</source>
        <translation>「{side}」はメールボックスの種類ではありません。local、vdir、dav のいずれかを使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1054"/>
        <source>The folder {path} cannot be used as a mailbox: {reason}</source>
        <translation>フォルダー {path} はメールボックスとして使用できません: {reason}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1056"/>
        <source>Choose a folder you can write to.</source>
        <translation>書き込みできるフォルダーを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1058"/>
        <source>This is the sign-in (AD FS) server, not the organization.</source>
        <translation>これはサインイン (AD FS) サーバーで、組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1060"/>
        <source>This is {portal}, not an organization address.</source>
        <translation>これは {portal} で、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1062"/>
        <source>In the Power Platform admin center open Environments, select the environment and copy its &apos;Environment URL&apos; (e.g. https://contoso.crm.dynamics.com).</source>
        <translation>Power Platform 管理センターで [環境] を開き、環境を選択して「環境の URL」(例: https://contoso.crm.dynamics.com) をコピーしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1064"/>
        <source>The organization name in the address is not valid.</source>
        <translation>アドレス内の組織名が正しくありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1066"/>
        <source>The port number in the address is not valid.</source>
        <translation>アドレス内のポート番号が正しくありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1068"/>
        <source>A port is a number from 1 to 65535 after a colon, e.g. crmserver:5555.</source>
        <translation>ポートはコロンの後に続く 1 から 65535 までの数値です (例: crmserver:5555)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1070"/>
        <source>The server name in the address is not valid.</source>
        <translation>アドレス内のサーバー名が正しくありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1072"/>
        <source>The server part of the address is not valid.</source>
        <translation>アドレスのサーバー部分が正しくありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1074"/>
        <source>An IP address alone is not an organization address.</source>
        <translation>IP アドレスだけでは組織のアドレスになりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1076"/>
        <source>Online organizations have a name such as https://contoso.crm.dynamics.com; for an on-premises server add the organization name, e.g. http://{server}/contoso.</source>
        <translation>オンラインの組織には https://contoso.crm.dynamics.com のような名前があります。オンプレミスのサーバーの場合は組織名を追加してください (例: http://{server}/contoso)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1078"/>
        <source>This address names the Dynamics 365 cloud but no organization.</source>
        <translation>このアドレスは Dynamics 365 のクラウドを示していますが、組織を含んでいません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1080"/>
        <source>Put your org&apos;s name in front, e.g. https://contoso.{domain}.</source>
        <translation>先頭に組織名を付けてください (例: https://contoso.{domain})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1082"/>
        <source>The address contains control characters.</source>
        <translation>アドレスに制御文字が含まれています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1084"/>
        <source>This address is in the {cloud} cloud but is not an organization address.</source>
        <translation>このアドレスは {cloud} クラウド内のものですが、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1086"/>
        <source>An organization address looks like https://contoso.{domain}.</source>
        <translation>組織のアドレスは https://contoso.{domain} のような形式です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1088"/>
        <source>This address names the {cloud} cloud but no organization.</source>
        <translation>このアドレスは {cloud} クラウドを示していますが、組織を含んでいません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1090"/>
        <source>This is a Discovery Service address, not an organization.</source>
        <translation>これは探索サービス (Discovery Service) のアドレスで、組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1092"/>
        <source>Choose &apos;Dynamics 365 (online)&apos; to sign in and pick from your organizations, or paste the address of the org itself (e.g. https://contoso.crm.dynamics.com).</source>
        <translation>「Dynamics 365 (オンライン)」を選んでサインインし、組織の一覧から選ぶか、組織そのもののアドレス (例: https://contoso.crm.dynamics.com) を貼り付けてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1094"/>
        <source>This is a discovery service address, not an organization.</source>
        <translation>これは探索サービスのアドレスで、組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1096"/>
        <source>{host} is a domain, not an organization address.</source>
        <translation>{host} はドメインで、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1098"/>
        <source>An Internet-facing deployment&apos;s address starts with the organization name, e.g. https://contoso.{host}; an on-premises one ends with it, e.g. https://crm.{host}/contoso.</source>
        <translation>インターネット接続展開 (IFD) のアドレスは組織名で始まり (例: https://contoso.{host})、オンプレミスのアドレスは組織名で終わります (例: https://crm.{host}/contoso)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1100"/>
        <source>This Dynamics 365 address is not an organization address.</source>
        <translation>この Dynamics 365 のアドレスは組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1102"/>
        <source>An online organization address looks like https://contoso.crm.dynamics.com (the part before .crm is the org&apos;s name). Copy it from the browser while the org is open.</source>
        <translation>オンラインの組織のアドレスは https://contoso.crm.dynamics.com のような形式です (.crm の前が組織名です)。組織を開いている間にブラウザーからコピーしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1104"/>
        <source>This looks like an e-mail address or user name, not an organization address.</source>
        <translation>これは電子メール アドレスまたはユーザー名のようで、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1106"/>
        <source>This is a file path, not an organization address.</source>
        <translation>これはファイルのパスで、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1108"/>
        <source>This is a Dynamics 365 Finance and Operations address; this wizard connects to Dynamics 365 Customer Engagement / Dataverse organizations.</source>
        <translation>これは Dynamics 365 Finance and Operations のアドレスです。このウィザードが接続するのは Dynamics 365 Customer Engagement / Dataverse の組織です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1110"/>
        <source>The address contains a user name and password.</source>
        <translation>アドレスにユーザー名とパスワードが含まれています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1112"/>
        <source>Never put a password in an address: remove the part up to and including &apos;@&apos;, and sign in when the wizard asks. If that password is real, consider changing it.</source>
        <translation>アドレスにパスワードを含めないでください。&apos;@&apos; までの部分を削除し、ウィザードが求めたときにサインインしてください。そのパスワードが実際のものなら、変更を検討してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1114"/>
        <source>An organization address cannot contain spaces.</source>
        <translation>組織のアドレスに空白を含めることはできません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1116"/>
        <source>Copy the whole address from the browser&apos;s address bar and paste it as one line.</source>
        <translation>ブラウザーのアドレス バーからアドレス全体をコピーし、1 行で貼り付けてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1118"/>
        <source>The address contains a user name.</source>
        <translation>アドレスにユーザー名が含まれています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1120"/>
        <source>Remove the part up to and including &apos;@&apos;; the wizard asks who you are when it signs in.</source>
        <translation>&apos;@&apos; までの部分を削除してください。サインインするときにウィザードがユーザーを尋ねます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1122"/>
        <source>This is the discovery address of an Internet-facing deployment, not an organization.</source>
        <translation>これはインターネット接続展開 (IFD) の探索用アドレスで、組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1124"/>
        <source>This is the sign-in address of an Internet-facing deployment, not the organization.</source>
        <translation>これはインターネット接続展開 (IFD) のサインイン用アドレスで、組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1126"/>
        <source>This address only imitates a Dynamics 365 address: the server is {host}, which is not Microsoft&apos;s.</source>
        <translation>このアドレスは Dynamics 365 のアドレスを装っているだけです。サーバーは {host} で、Microsoft のものではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1128"/>
        <source>Do not sign in there. Copy the address again from the browser while the org is open, or ask your administrator.</source>
        <translation>そこにはサインインしないでください。組織を開いている間にブラウザーからアドレスをコピーし直すか、管理者に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1130"/>
        <source>This is an e-mail link, not an organization address.</source>
        <translation>これは電子メールのリンクで、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1132"/>
        <source>This is a Microsoft service address (such as Outlook, SharePoint, Teams or Azure), not a Dynamics 365 organization.</source>
        <translation>これは Microsoft のサービス (Outlook、SharePoint、Teams、Azure など) のアドレスで、Dynamics 365 の組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1134"/>
        <source>This is the Microsoft sign-in page, not your organization.</source>
        <translation>これは Microsoft のサインイン ページで、あなたの組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1136"/>
        <source>Sign in in the browser, open the org, then copy the address from the address bar (e.g. https://contoso.crm.dynamics.com). Or choose &apos;Dynamics 365 (online)&apos; to sign in and pick from your organizations.</source>
        <translation>ブラウザーでサインインして組織を開き、アドレス バーからアドレス (例: https://contoso.crm.dynamics.com) をコピーしてください。または「Dynamics 365 (オンライン)」を選んでサインインし、組織の一覧から選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1138"/>
        <source>No organization address was given.</source>
        <translation>組織のアドレスが指定されていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1140"/>
        <source>The address has no server name.</source>
        <translation>アドレスにサーバー名がありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1142"/>
        <source>This does not look like a Dynamics 365 organization address.</source>
        <translation>これは Dynamics 365 の組織のアドレスには見えません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1144"/>
        <source>This is not the address of a Dynamics 365 organization.</source>
        <translation>これは Dynamics 365 の組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1146"/>
        <source>An organization address must be text.</source>
        <translation>組織のアドレスはテキストでなければなりません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1148"/>
        <source>Only web addresses (https:// or http://) can be organization addresses.</source>
        <translation>組織のアドレスにできるのは Web アドレス (https:// または http://) だけです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1150"/>
        <source>This page lists your apps and organizations; it is not an organization address.</source>
        <translation>このページはアプリと組織の一覧で、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1152"/>
        <source>Open the org from that page, then copy the address from the browser (e.g. https://contoso.crm.dynamics.com). Or choose &apos;Dynamics 365 (online)&apos; to sign in and pick from your organizations.</source>
        <translation>そのページから組織を開き、ブラウザーからアドレス (例: https://contoso.crm.dynamics.com) をコピーしてください。または「Dynamics 365 (オンライン)」を選んでサインインし、組織の一覧から選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1154"/>
        <source>&apos;{scheme}:&apos; addresses cannot be organization addresses; only web addresses (https://...) can.</source>
        <translation>&apos;{scheme}:&apos; のアドレスは組織のアドレスにできません。使えるのは Web アドレス (https://...) だけです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1156"/>
        <source>This is a Power Pages (portal) website, not the organization behind it.</source>
        <translation>これは Power Pages (ポータル) の Web サイトで、その背後にある組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1158"/>
        <source>Ask your administrator for the organization address (e.g. https://contoso.crm.dynamics.com).</source>
        <translation>組織のアドレス (例: https://contoso.crm.dynamics.com) を管理者に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1160"/>
        <source>This is the address of a public website, not of a Dynamics 365 organization.</source>
        <translation>これは公開 Web サイトのアドレスで、Dynamics 365 の組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1162"/>
        <source>The organization name in this address contains non-Latin look-alike letters; Dynamics 365 org names never do.</source>
        <translation>このアドレスの組織名にはラテン文字に似た別の文字が含まれています。Dynamics 365 の組織名にそのような文字が含まれることはありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1164"/>
        <source>Type the address yourself or copy it again from the browser while the org is open.</source>
        <translation>アドレスを自分で入力するか、組織を開いている間にブラウザーからコピーし直してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1166"/>
        <source>The address names the server {host} but not the organization.</source>
        <translation>アドレスはサーバー {host} を示していますが、組織を含んでいません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1168"/>
        <source>Add the organization name after the server, e.g. http://{host}/contoso (ask your administrator for it).</source>
        <translation>サーバーの後に組織名を追加してください (例: http://{host}/contoso)。組織名は管理者に問い合わせてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1170"/>
        <source>This is a sign-in page, not the organization.</source>
        <translation>これはサインイン ページで、組織ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1172"/>
        <source>This text is far too long to be an organization address.</source>
        <translation>このテキストは組織のアドレスとしては長すぎます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1174"/>
        <source>Write an IPv6 address in brackets, e.g. http://[2001:db8::5]/contoso.</source>
        <translation>IPv6 アドレスは角かっこで囲んでください (例: http://[2001:db8::5]/contoso)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1176"/>
        <source>This is a website address, not an organization address.</source>
        <translation>これは Web サイトのアドレスで、組織のアドレスではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1178"/>
        <source>Paste the address from your browser&apos;s address bar while the org is open, for example https://contoso.crm.dynamics.com (online), http://crmserver/contoso (on-premises) or https://contoso.contoso.com (IFD).</source>
        <translation>組織を開いている間にブラウザーのアドレス バーからアドレスを貼り付けてください。例: https://contoso.crm.dynamics.com (オンライン)、http://crmserver/contoso (オンプレミス)、https://contoso.contoso.com (IFD)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="844"/>
        <source>The sign-in page reported a problem: {page_text}</source>
        <translation>サインイン ページが問題を報告しました: {page_text}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="848"/>
        <source>Use sign-in with a code instead.</source>
        <translation>代わりにコードを使ったサインインを使用してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="850"/>
        <source>The sign-in did not finish.</source>
        <translation>サインインが完了しませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/app.py" line="70"/>
        <source>The machine-wide deployment file was not applied: {error}</source>
        <translation>コンピューター全体の展開ファイルは適用されませんでした: {error}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="46"/>
        <source>Contacts</source>
        <translation>取引先担当者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="46"/>
        <source>Appointments</source>
        <translation>予定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="46"/>
        <source>Tasks</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="51"/>
        <source>Reading contacts…</source>
        <translation>取引先担当者を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="51"/>
        <source>Reading appointments…</source>
        <translation>予定を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="52"/>
        <source>Reading tasks…</source>
        <translation>タスクを読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="52"/>
        <source>Reading resource bookings…</source>
        <translation>リソースの予約を読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="53"/>
        <source>Checking tracked e-mail…</source>
        <translation>追跡する電子メールを確認しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="54"/>
        <source>Sending your changes…</source>
        <translation>変更を送信しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="61"/>
        <source>{n} new</source>
        <translation>新規 {n} 件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="61"/>
        <source>{n} changed</source>
        <translation>変更 {n} 件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="61"/>
        <source>{n} removed</source>
        <translation>削除 {n} 件</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="64"/>
        <source>nothing</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="87"/>
        <source>Synchronize with {name}</source>
        <translation>{name} との同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="92"/>
        <source>Synchronizing your mailbox with {name}…</source>
        <translation>メールボックスを {name} と同期しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="321"/>
        <location filename="../../wizard/gui/main_window.py" line="325"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="97"/>
        <source>Synchronization</source>
        <translation>同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="629"/>
        <source>Configure Organizations — Sandbox</source>
        <translation>組織の構成 — サンドボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="631"/>
        <source>Sandbox mode: you are practising on the built-in sandbox tenant; nothing reaches Dynamics 365. Paste one of these addresses into Add…:</source>
        <translation>サンドボックス モード: 組み込みのサンドボックス テナントで練習しています。Dynamics 365 には何も送られません。次のいずれかのアドレスを [追加…] に貼り付けてください:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="721"/>
        <location filename="../../wizard/gui/main_window.py" line="736"/>
        <source>Remove organization</source>
        <translation>組織の削除</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="1107"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="99"/>
        <source>Connecting…</source>
        <translation>接続しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="102"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="19"/>
        <source>Dynamics 365 for Outlook</source>
        <translation>Dynamics 365 for Outlook</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="102"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="19"/>
        <source>Server-Side Synchronization</source>
        <translation>サーバー側同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="103"/>
        <location filename="../../wizard/gui/render.py" line="116"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="20"/>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="103"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="20"/>
        <source>not set</source>
        <translation>未設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="179"/>
        <location filename="../../wizard/gui/render.py" line="51"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="24"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="30"/>
        <source>{name}: could not be read ({problem}). Its record is changed as soon as it can be reached; until then the switch is not finished.</source>
        <translation>{name}: 読み取れませんでした ({problem})。接続できるようになり次第レコードを変更します。それまで切り替えは完了しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="109"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="32"/>
        <source>not connected</source>
        <translation>未接続</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="36"/>
        <source>{name}: appointments, contacts and tasks stay None.</source>
        <translation>{name}: 予定・連絡先・タスクは「なし」のままです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="37"/>
        <source>{name}: appointments, contacts and tasks → None (was {was}).</source>
        <translation>{name}: 予定・連絡先・タスク → なし (変更前: {was})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="41"/>
        <source>{name}: appointments, contacts and tasks stay with this computer.</source>
        <translation>{name}: 予定・連絡先・タスクは引き続きこのコンピューターで同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="43"/>
        <source>{name}: appointments, contacts and tasks → this computer (Dynamics 365 for Outlook; was {was}).</source>
        <translation>{name}: 予定・連絡先・タスク → このコンピューター (Dynamics 365 for Outlook、変更前: {was})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="47"/>
        <source>{name}: stays on Server-Side Synchronization; it holds your Exchange mailbox already.</source>
        <translation>{name}: サーバー側同期のままです。Exchange メールボックスはすでにこの組織が保持しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="50"/>
        <source>{name}: Server-Side Synchronization, Test &amp; Enable with “this org only” (takes your Exchange mailbox from {holders}).</source>
        <translation>{name}: サーバー側同期、「この組織のみ」でTest &amp; Enable (Test &amp; Enable) (Exchange メールボックスを {holders} から引き継ぎます)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="54"/>
        <source>{name}: Server-Side Synchronization, Test &amp; Enable with “this org only”.</source>
        <translation>{name}: サーバー側同期、「この組織のみ」でTest &amp; Enable (Test &amp; Enable)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="56"/>
        <source>{name}: Server-Side Synchronization, then Test &amp; Enable.</source>
        <translation>{name}: サーバー側同期、その後Test &amp; Enable (Test &amp; Enable)。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="61"/>
        <source>Your Exchange mailbox synchronizes with {names}.</source>
        <translation>Exchange メールボックスは {names} と同期しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1206"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="62"/>
        <source>None of your organizations holds your Exchange mailbox.</source>
        <translation>あなたの組織のいずれも Exchange メールボックスを保持していません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="69"/>
        <source>Changing the mailbox records…</source>
        <translation>メールボックス レコードを変更しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1216"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="70"/>
        <source>Test &amp; Enable in {org}…</source>
        <translation>{org} でTest &amp; Enable (Test &amp; Enable)を実行しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1218"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="71"/>
        <source>Waiting for the result of Test &amp; Enable in {org} (check {n} of {total})…</source>
        <translation>{org} のTest &amp; Enable (Test &amp; Enable)の結果を待っています (確認 {n} / {total})…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/engine_texts.py" line="1220"/>
        <location filename="../../wizard/gui/switch_dialogs.py" line="73"/>
        <source>Reading the mailbox records back…</source>
        <translation>メールボックス レコードを読み直しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="74"/>
        <source>A record changed meanwhile: undoing the changes already made…</source>
        <translation>その間にレコードが変更されました。すでに行った変更を元に戻しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="76"/>
        <source>Working…</source>
        <translation>処理しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="81"/>
        <source>{name}: set to {method}.</source>
        <translation>{name}: {method} に設定しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="83"/>
        <source>{name}: already as planned.</source>
        <translation>{name}: すでに計画どおりです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="86"/>
        <source>Server-Side Synchronization, then Test &amp; Enable</source>
        <translation>サーバー側同期、その後Test &amp; Enable (Test &amp; Enable)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="88"/>
        <source>Server-Side Synchronization, then Test &amp; Enable with “this org only”</source>
        <translation>サーバー側同期、その後「この組織のみ」でTest &amp; Enable (Test &amp; Enable)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="91"/>
        <source>{name}: not changed: your security roles do not allow you to change your mailbox record there. An administrator of {name} must add the privilege to change mailbox records (Mailbox: Write) to one of your roles, or set it for you: {what}.</source>
        <translation>{name}: 変更されていません。セキュリティ ロールで、この組織のメールボックス レコードの変更が許可されていません。{name} の管理者が、メールボックス レコードを変更する特権 ([メールボックス: 書き込み]) をあなたのロールに追加するか、代わりに設定する必要があります: {what}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="96"/>
        <source>{name}: not changed: the organization did not accept your sign-in. Sign in to it again; the switch is finished afterwards.</source>
        <translation>{name}: 変更されていません。組織がサインインを受け付けませんでした。もう一度サインインしてください。その後、切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="99"/>
        <source>{name}: not changed: it could not be reached ({message}). The switch is finished when it can be reached again.</source>
        <translation>{name}: 変更されていません。接続できませんでした ({message})。再び接続できるようになると切り替えが完了します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="101"/>
        <source>{name}: not changed. {message}</source>
        <translation>{name}: 変更されていません。{message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="113"/>
        <source>Test &amp; Enable in {name} succeeded: it synchronizes appointments, contacts and tasks with your Exchange mailbox.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)に成功しました。予定・連絡先・タスクを Exchange メールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="115"/>
        <source>Test &amp; Enable in {name} failed: your Exchange mailbox is configured with another organization. If {name} should synchronize, choose Synchronize again and tick “Sync items from this organization only, even if the mailbox was set to sync with a different organization”.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)に失敗しました。Exchange メールボックスが別の組織に構成されています。{name} で同期する場合は、もう一度「同期」を選び、「メールボックスが別の組織と同期するように設定されていても、この組織のアイテムのみを同期する」をオンにしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="119"/>
        <source>Server-side synchronization in {name} cannot start yet: your e-mail address is not approved. An administrator approves it (Approve Email in your mailbox record); this is not a fault of this computer.</source>
        <translation>{name} のサーバー側同期はまだ開始できません。メール アドレスが承認されていません。管理者が承認します (メールボックス レコードの「メールの承認」)。このコンピューターの問題ではありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="122"/>
        <source>Test &amp; Enable in {name} failed: {message}</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)に失敗しました: {message}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="123"/>
        <source>Test &amp; Enable in {name} has not run yet. Dynamics 365 runs it in the background, which can take several minutes; test the connection later to see the result.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)はまだ実行されていません。Dynamics 365 がバックグラウンドで実行するため、数分かかることがあります。あとで接続テストを行い、結果を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="126"/>
        <source>You stopped waiting for Test &amp; Enable in {name}; it still runs on the server. Test the connection later to see the result.</source>
        <translation>{name} のTest &amp; Enable (Test &amp; Enable)の待機を中止しました。サーバー上では引き続き実行されます。あとで接続テストを行い、結果を確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="128"/>
        <source>Test &amp; Enable in {name} was not run because its mailbox record could not be changed.</source>
        <translation>メールボックス レコードを変更できなかったため、{name} のTest &amp; Enable (Test &amp; Enable)は実行されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="143"/>
        <source>{name} is now your synchronizing organization; the other organizations are set to None.</source>
        <translation>{name} が同期する組織になりました。ほかの組織は「なし」に設定されました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="147"/>
        <source>The switch to {name} is not finished: {orgs} could not be changed. When the problems are fixed, choose Finish the switch in Test Connection; the app also offers it when it starts.</source>
        <translation>{name} への切り替えは完了していません: {orgs} を変更できませんでした。問題が解決したら、接続テストで「切り替えを完了する」を選んでください。アプリの起動時にも表示されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="174"/>
        <source>Changing the synchronizing organization</source>
        <translation>同期する組織を変更しています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="177"/>
        <source>Making {name} your synchronizing organization…</source>
        <translation>{name} を同期する組織にしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="182"/>
        <source>What is happening</source>
        <translation>処理の内容</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="186"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="100"/>
        <source>Current step</source>
        <translation>現在のステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="190"/>
        <source>The switch is running.</source>
        <translation>切り替えを実行しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="203"/>
        <source>Show the result as the engine wrote it.</source>
        <translation>エンジンが記録した結果を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="231"/>
        <source>There was nothing to finish.</source>
        <translation>完了すべきものはありませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="235"/>
        <source>Done.</source>
        <translation>完了しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="235"/>
        <source>Done, with problems to look at.</source>
        <translation>完了しましたが、確認が必要な問題があります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/switch_dialogs.py" line="257"/>
        <source>Stopping after the current step…</source>
        <translation>現在の手順のあとで停止します…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="104"/>
        <source>How far the synchronization has come.</source>
        <translation>同期の進み具合です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="114"/>
        <source>Show every change the synchronization made.</source>
        <translation>同期で行われたすべての変更を表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="120"/>
        <source>Every change, as the engine reported it.</source>
        <translation>エンジンが報告したすべての変更です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="134"/>
        <source>%v of %m</source>
        <translation>%v / %m</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="153"/>
        <source>Into your mailbox: {what}.</source>
        <translation>メールボックスへ: {what}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="154"/>
        <source>Into the organization: {what}.</source>
        <translation>組織へ: {what}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="162"/>
        <source>No conflicts.</source>
        <translation>競合はありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="164"/>
        <source>Not sent (they stay queued and are tried again next time):</source>
        <translation>送信されなかった変更 (キューに残り、次回もう一度送信されます):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="168"/>
        <source>Last synchronization: {when}</source>
        <translation>最終同期: {when}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="174"/>
        <source>Synchronization cancelled.</source>
        <translation>同期はキャンセルされました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="175"/>
        <source>Nothing in your mailbox changed: a cancelled synchronization commits nothing. Changes already sent to the organization are matched up at the next synchronization.</source>
        <translation>メールボックスは何も変更されていません。キャンセルされた同期は何も確定しません。組織に送信済みの変更は、次回の同期で照合されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="182"/>
        <source>The synchronization did not run.</source>
        <translation>同期は実行されませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="184"/>
        <source>Synchronize again.</source>
        <translation>もう一度同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="206"/>
        <source>Cancelling after the current step…</source>
        <translation>現在のステップの後でキャンセルします…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="249"/>
        <source>Show the message as the engine wrote it.</source>
        <translation>エンジンが書いたとおりのメッセージを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="258"/>
        <source>&amp;Synchronize</source>
        <translation>同期(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="284"/>
        <source>Synchronization Settings of {name}</source>
        <translation>{name} の同期の設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="289"/>
        <source>Synchronization settings pages</source>
        <translation>同期設定のページ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="300"/>
        <source>&amp;Mailbox</source>
        <translation>メールボックス(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="303"/>
        <source>These settings apply to everyone in {name}. Changes take effect at the next synchronization.</source>
        <translation>これらの設定は {name} の全員に適用されます。変更は次回の同期から有効になります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="306"/>
        <source>You can read these settings. Only users with the Sync to Outlook privilege can change them.</source>
        <translation>これらの設定は閲覧できます。変更できるのは「Outlook と同期」権限を持つユーザーだけです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="310"/>
        <source>About these settings</source>
        <translation>これらの設定について</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="313"/>
        <source>Organization-wide settings</source>
        <translation>組織全体の設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="315"/>
        <source>Synchronize appointment &amp;attachments</source>
        <translation>予定の添付ファイルを同期する(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="316"/>
        <source>Appointment attachments</source>
        <translation>予定の添付ファイル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="317"/>
        <source>Attachments of appointments synchronize both ways; never for recurring appointments or service activities.</source>
        <translation>予定の添付ファイルを双方向に同期します。定期的な予定とサービス活動は対象外です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="320"/>
        <source>Mailing address only</source>
        <translation>郵送先住所のみ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="321"/>
        <source>All three: Business, Home and Other</source>
        <translation>3 つすべて: 勤務先、自宅、その他</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="322"/>
        <source>Contact addresses</source>
        <translation>取引先担当者の住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="323"/>
        <source>Which contact addresses synchronize. Switching remaps existing contacts.</source>
        <translation>同期する取引先担当者の住所です。切り替えると既存の取引先担当者が再マッピングされます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="324"/>
        <source>Contact a&amp;ddresses:</source>
        <translation>取引先担当者の住所(&amp;D):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="326"/>
        <source>Synchronize tasks assigned to &amp;others</source>
        <translation>他のユーザーに割り当てたタスクを同期する(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="327"/>
        <source>Assigned tasks</source>
        <translation>割り当てたタスク</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="328"/>
        <source>Tasks you created and assigned to someone else stay in your mailbox.</source>
        <translation>自分が作成して他のユーザーに割り当てたタスクもメールボックスに残ります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="329"/>
        <source>Synchronize resource &amp;bookings</source>
        <translation>リソースの予約を同期する(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="330"/>
        <source>Resource bookings</source>
        <translation>リソースの予約</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="331"/>
        <source>Your resource bookings appear in your calendar.</source>
        <translation>自分のリソースの予約が予定表に表示されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="338"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="363"/>
        <source>Synchronized fields</source>
        <translation>同期するフィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="344"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="373"/>
        <source>Item type</source>
        <translation>アイテムの種類</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="344"/>
        <source>Choose whose synchronized fields are shown.</source>
        <translation>同期するフィールドを表示するアイテムの種類を選びます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="345"/>
        <source>&amp;Item type:</source>
        <translation>アイテムの種類(&amp;I):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="364"/>
        <source>Each field of the item type and the direction it synchronizes in.</source>
        <translation>アイテムの種類の各フィールドと、その同期の方向です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="369"/>
        <source>Your synchronization filters</source>
        <translation>あなたの同期フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="373"/>
        <source>Filter</source>
        <translation>フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="373"/>
        <source>Kind</source>
        <translation>種類</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="381"/>
        <source>Default (records you own)</source>
        <translation>既定 (自分が所有するレコード)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="383"/>
        <source>Offline filter</source>
        <translation>オフライン フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="385"/>
        <source>System filter</source>
        <translation>システム フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="385"/>
        <source>Your filter</source>
        <translation>あなたのフィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="388"/>
        <source>Synchronization filters</source>
        <translation>同期フィルター</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="389"/>
        <source>Which records come into your mailbox: system filters and your own.</source>
        <translation>メールボックスに取り込むレコードを決めます: システム フィルターとあなたのフィルターです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="459"/>
        <source>This app&apos;s own mailbox</source>
        <translation>このアプリ内のメールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="459"/>
        <source>A folder of calendar and contact files (vdir)</source>
        <translation>予定表と連絡先のファイルのフォルダー (vdir)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="460"/>
        <source>A CalDAV/CardDAV account</source>
        <translation>CalDAV/CardDAV アカウント</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="464"/>
        <source>Calendar</source>
        <translation>予定表</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="464"/>
        <source>Task list</source>
        <translation>タスク リスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="464"/>
        <source>Address book</source>
        <translation>アドレス帳</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="483"/>
        <source>Choose where this computer keeps the appointments, contacts and tasks of the synchronizing organization: in this app only, in a folder that calendar programs such as khal, khard and vdirsyncer read, or in your calendar and address book account (Nextcloud, iCloud, Fastmail, Radicale…). Items already there are matched before anything is created.</source>
        <translation>同期する組織の予定、連絡先、タスクをこのコンピューターのどこに置くかを選びます: このアプリ内だけ、khal・khard・vdirsyncer などの予定表プログラムが読むフォルダー、またはお使いの予定表とアドレス帳のアカウント (Nextcloud、iCloud、Fastmail、Radicale など)。既にあるアイテムは、何かを作成する前に照合されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="487"/>
        <source>About the mailbox</source>
        <translation>メールボックスについて</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="491"/>
        <source>Current mailbox</source>
        <translation>現在のメールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="497"/>
        <source>This app&apos;s own mailbox (&amp;local)</source>
        <translation>このアプリ内のメールボックス (ローカル)(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="498"/>
        <source>A &amp;folder of calendar and contact files (vdir)</source>
        <translation>予定表と連絡先のファイルのフォルダー (vdir)(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="499"/>
        <source>A Cal&amp;DAV/CardDAV account</source>
        <translation>CalDAV/CardDAV アカウント(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="508"/>
        <source>e.g. ~/.calendars/d365</source>
        <translation>例: ~/.calendars/d365</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="509"/>
        <source>Folder</source>
        <translation>フォルダー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="509"/>
        <source>The folder that holds one folder per calendar, task list and address book.</source>
        <translation>予定表、タスク リスト、アドレス帳ごとに 1 つのフォルダーを収めるフォルダーです。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="511"/>
        <source>&amp;Browse…</source>
        <translation>参照(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="512"/>
        <source>Browse for a folder</source>
        <translation>フォルダーを参照</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="517"/>
        <source>F&amp;older:</source>
        <translation>フォルダー(&amp;O):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="522"/>
        <source>e.g. https://cloud.example.com/remote.php/dav/</source>
        <translation>例: https://cloud.example.com/remote.php/dav/</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="523"/>
        <source>Server address</source>
        <translation>サーバーのアドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="524"/>
        <source>The CalDAV/CardDAV address your provider gives; the server&apos;s own address is often enough.</source>
        <translation>プロバイダーが案内する CalDAV/CardDAV のアドレスです。多くの場合、サーバー自体のアドレスで十分です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="526"/>
        <source>Server &amp;address:</source>
        <translation>サーバーのアドレス(&amp;A):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="539"/>
        <source>Your password or an app password made for this program; it is kept in the keyring.</source>
        <translation>パスワード、またはこのプログラム用に作成したアプリ パスワードです。キーリングに保存されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="547"/>
        <source>&amp;Test</source>
        <translation>テスト(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="548"/>
        <source>Test</source>
        <translation>テスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="548"/>
        <source>Look for the calendar, task list and address book; nothing is changed.</source>
        <translation>予定表、タスク リスト、アドレス帳を探します。何も変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="550"/>
        <source>&amp;Use this mailbox</source>
        <translation>このメールボックスを使用(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="551"/>
        <source>Use this mailbox</source>
        <translation>このメールボックスを使用</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="552"/>
        <source>Synchronize with this mailbox from now on, starting with a first synchronization.</source>
        <translation>今後はこのメールボックスと同期します。最初の同期から始めます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="562"/>
        <source>For</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="562"/>
        <source>Collection</source>
        <translation>コレクション</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="570"/>
        <source>Collections found</source>
        <translation>見つかったコレクション</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="571"/>
        <source>Which calendar, task list and address book the items go to.</source>
        <translation>アイテムが入る予定表、タスク リスト、アドレス帳です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="576"/>
        <source>First synchronization</source>
        <translation>最初の同期</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="576"/>
        <source>How far the first synchronization has come.</source>
        <translation>最初の同期の進み具合です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="580"/>
        <source>Mailbox status</source>
        <translation>メールボックスの状態</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="595"/>
        <source>Now: {side}, {where}</source>
        <translation>現在: {side}、{where}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="596"/>
        <source>Now: {side}</source>
        <translation>現在: {side}</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="625"/>
        <source>Choose the mailbox folder</source>
        <translation>メールボックスのフォルダーを選択</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="645"/>
        <source>Found. Choose Use this mailbox to synchronize with it.</source>
        <translation>見つかりました。同期するには [このメールボックスを使用] を選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="647"/>
        <source>Not found: {what}; those items are not synchronized.</source>
        <translation>見つかりません: {what}。それらのアイテムは同期されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="669"/>
        <source>This computer now synchronizes with this mailbox.</source>
        <translation>このコンピューターは今後このメールボックスと同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="671"/>
        <source>This computer now synchronizes with this mailbox. First synchronization: {came_in} into the mailbox, {went_out} into the organization.</source>
        <translation>このコンピューターは今後このメールボックスと同期します。最初の同期: メールボックスへ {came_in}、組織へ {went_out}。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="683"/>
        <source>Change contact addresses</source>
        <translation>取引先担当者の住所の変更</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="686"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="687"/>
        <source>the mailing address only</source>
        <translation>郵送先住所のみ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="686"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="687"/>
        <source>all three addresses</source>
        <translation>3 つすべての住所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="688"/>
        <source>Synchronize {after} instead of {before}?</source>
        <translation>{before} の代わりに {after} を同期しますか?</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="703"/>
        <source>No existing contact changes.</source>
        <translation>既存の取引先担当者は変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="708"/>
        <source>A backup of both sides&apos; values is taken first. Nothing changes until you choose Switch; Cancel changes nothing.</source>
        <translation>最初に両方の値のバックアップを作成します。[切り替え] を選ぶまで何も変わりません。[キャンセル] では何も変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/fields.py" line="101"/>
        <location filename="../../wizard/gui/mailbox_window.py" line="72"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="715"/>
        <source>Contact</source>
        <translation>取引先担当者</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="774"/>
        <source>When it is off for an organization, nothing connects to it in the background. Opening it and synchronizing may then be slower.</source>
        <translation>オフにした組織には、バックグラウンドで何も接続しません。そのため、組織を開くときや同期するときに時間がかかることがあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="781"/>
        <source>Every {minutes} min</source>
        <translation>{minutes} 分ごと</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="783"/>
        <source>Off: nothing connects in the background</source>
        <translation>オフ: バックグラウンドでは何も接続しません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="785"/>
        <source>Every {minutes} min, all organizations</source>
        <translation>{minutes} 分ごと、すべての組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="786"/>
        <source>Every {minutes} min, {on} of {total} organizations</source>
        <translation>{minutes} 分ごと、{total} 件中 {on} 件の組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="797"/>
        <source>Keep Me Connected</source>
        <translation>接続を維持する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="800"/>
        <source>While this app runs, the organizations ticked below have their status refreshed, and the synchronizing organization synchronizes, at this interval.</source>
        <translation>このアプリの実行中、この間隔で、下でチェックした組織の状態を更新し、同期する組織を同期します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="803"/>
        <source>About Keep me connected</source>
        <translation>[接続を維持する] について</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="806"/>
        <source>&amp;Every:</source>
        <translation>間隔(&amp;E):</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="811"/>
        <source> min</source>
        <translation> 分</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="812"/>
        <source>Interval in minutes</source>
        <translation>間隔 (分)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="813"/>
        <source>How often, from 1 to 1440 minutes.</source>
        <translation>1 から 1440 分までの間隔です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="821"/>
        <source>Organizations kept connected</source>
        <translation>接続を維持する組織</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="822"/>
        <source>Tick an organization to keep it connected; Space ticks the selected one.</source>
        <translation>接続を維持する組織をチェックします。Space キーで選択中の組織をチェックできます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="562"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="715"/>
        <source>Where</source>
        <translation>場所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="715"/>
        <source>Now</source>
        <translation>現在</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="716"/>
        <source>Afterwards</source>
        <translation>変更後</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/mailbox_window.py" line="320"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="494"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="724"/>
        <source>Mailbox</source>
        <translation>メールボックス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="55"/>
        <source>Reading your mailbox…</source>
        <translation>メールボックスを読み込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="56"/>
        <source>Writing into your mailbox…</source>
        <translation>メールボックスに書き込んでいます…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="157"/>
        <source>1 conflict: both sides changed the same field; the organization&apos;s value was kept. See Details.</source>
        <translation>競合 1 件: 両方で同じフィールドが変更されました。組織の値を残しました。詳細を参照してください。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/sync_dialogs.py" line="159"/>
        <source>%n conflicts: both sides changed the same field; the organization&apos;s value was kept. See Details.</source>
        <translation>
            <numerusform>競合 %n 件: 両方で同じフィールドが変更されました。組織の値を残しました。詳細を参照してください。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="698"/>
        <source>Existing contacts are remapped. Contacts that change: {contacts}; field values that change: {fields}; values that would be lost: {lost} (for fields that synchronize both ways the organization&apos;s value wins). Every change is listed below.</source>
        <translation>既存の連絡先の対応付けを変更します。変わる連絡先: {contacts}、変わるフィールド値: {fields}、失われる値: {lost} (双方向に同期するフィールドでは組織の値が優先されます)。すべての変更を下に示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="706"/>
        <source>1 field pair stops synchronizing; its values stay as they are.</source>
        <translation>1 組のフィールドの同期を停止します。値はそのまま残ります。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/sync_dialogs.py" line="707"/>
        <source>%n field pairs stop synchronizing; their values stay as they are.</source>
        <translation>
            <numerusform>%n 組のフィールドの同期を停止します。値はそのまま残ります。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="725"/>
        <source>(the old value is lost; kept in the backup)</source>
        <translation>(元の値は失われます。バックアップに残ります)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="733"/>
        <source>Fields that would change</source>
        <translation>変更されるフィールド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="734"/>
        <source>Each contact field that would change, and its value now and afterwards.</source>
        <translation>変更される取引先担当者のフィールドと、現在と変更後の値です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="737"/>
        <source>&amp;Switch</source>
        <translation>切り替え(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="753"/>
        <source>&amp;Save diagnostics bundle…</source>
        <translation>診断バンドルの保存(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="755"/>
        <source>Write a zip file for your helpdesk: versions, settings, connection tests and recent logs, without passwords or tokens.</source>
        <translation>ヘルプデスク用の zip ファイルを作成します: バージョン、設定、接続テスト、最近のログ。パスワードやトークンは含みません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="757"/>
        <source>&amp;Include user names and addresses</source>
        <translation>ユーザー名とアドレスを含める(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="759"/>
        <source>Include user names and addresses</source>
        <translation>ユーザー名とアドレスを含める</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="760"/>
        <source>Unchecked, user names, tenant IDs and organization addresses are replaced by placeholders.</source>
        <translation>オフのとき、ユーザー名、テナント ID、組織のアドレスはプレースホルダーに置き換えられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/sync_dialogs.py" line="768"/>
        <source>Diagnostics bundle</source>
        <translation>診断バンドル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/crash.py" line="27"/>
        <source>d365-wizard ran into an unexpected problem ({error}).</source>
        <translation>d365-wizard で予期しない問題が発生しました ({error})。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/crash.py" line="31"/>
        <source>The details are in the log file {path}.</source>
        <translation>詳細はログ ファイル {path} にあります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/crash.py" line="32"/>
        <source>If it happens again, send your helpdesk a diagnostics bundle (Diagnostics… ▸ Save diagnostics bundle…) and the log file.</source>
        <translation>再び発生する場合は、診断バンドル ([診断] ▸ [診断バンドルの保存…]) とログ ファイルをヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="53"/>
        <source>; </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="65"/>
        <source>“{text}”</source>
        <translation>「{text}」</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="88"/>
        <source>The server said: “{text}”</source>
        <translation>サーバーからのメッセージ:「{text}」</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="104"/>
        <source>Not Run</source>
        <translation>未実行</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="104"/>
        <source>Success</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="104"/>
        <source>Failure</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="104"/>
        <location filename="../../wizard/gui/render.py" line="106"/>
        <source>not known</source>
        <translation>不明</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="105"/>
        <source>Empty</source>
        <translation>空</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="105"/>
        <source>Approved</source>
        <translation>承認済み</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="105"/>
        <source>Pending Approval</source>
        <translation>承認待ち</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="106"/>
        <source>Rejected</source>
        <translation>拒否</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="107"/>
        <source>no reason was recorded</source>
        <translation>理由は記録されていません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="108"/>
        <source>the record could not be changed</source>
        <translation>レコードを変更できませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="109"/>
        <source>not read</source>
        <translation>読み取られていません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="110"/>
        <source>scheduled</source>
        <translation>予定済み</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="111"/>
        <source>not changed yet</source>
        <translation>まだ変更されていません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="116"/>
        <source>unknown ({value})</source>
        <translation>不明 ({value})</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="145"/>
        <source>Sign in…</source>
        <translation>サインイン…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="145"/>
        <source>Enter the password…</source>
        <translation>パスワードを入力…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="146"/>
        <source>Enter the user name and password…</source>
        <translation>ユーザー名とパスワードを入力…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="147"/>
        <source>Test the connection</source>
        <translation>接続をテスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="147"/>
        <source>Synchronization settings…</source>
        <translation>同期の設定…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="150"/>
        <source>Synchronize…</source>
        <translation>同期…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/render.py" line="151"/>
        <source>Diagnostics…</source>
        <translation>診断…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/dialogs.py" line="226"/>
        <location filename="../../wizard/gui/render.py" line="151"/>
        <location filename="../../wizard/gui/render.py" line="152"/>
        <location filename="../../wizard/gui/sync_dialogs.py" line="184"/>
        <source>Try again</source>
        <translation>もう一度試す</translation>
    </message>
</context>
</TS>
